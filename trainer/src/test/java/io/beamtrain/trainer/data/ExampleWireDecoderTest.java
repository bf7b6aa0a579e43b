package io.beamtrain.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;

/** The wire-format fast path must accept exactly what the full decoder accepts, with equal rows. */
class ExampleWireDecoderTest {
  final TransformSpec spec = ExamplesTest.PENGUINS;
  final Examples examples = Examples.of(spec);
  final ExampleWireDecoder wire = new ExampleWireDecoder(spec.features(), spec.label());

  @Test
  void validRecordsTakeTheFastPathAndMatchTheFullDecoder() {
    Random random = new Random(1);
    for (int i = 0; i < 500; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("beak", random.nextInt(5) == 0 ? null : random.nextFloat() * 60);
      row.put("island", random.nextInt(5) == 0 ? null : random.nextBoolean() ? "Dream" : "Bïscoe ✓");
      row.put("species", random.nextBoolean() ? "Adelie" : "Gentoo");
      Example e = examples.encode(row);
      byte[] bytes = e.toByteArray();
      RawRow fast = wire.tryDecode(bytes);
      assertNotNull(fast, "record " + i + " should take the fast path");
      assertEquals(examples.decode(e, "f", i), fast);
      // A feature the spec does not name sends the record down the full path, same result.
      Example extra =
          e.toBuilder()
              .setFeatures(e.getFeatures().toBuilder().putFeature("extra", bytes("x")))
              .build();
      assertNull(wire.tryDecode(extra.toByteArray()));
      assertEquals(fast, examples.decode(extra.toByteArray(), "f", i));
    }
  }

  @Test
  void unpackedFloatsAreReadToo() throws Exception {
    Example valid = examples.encode(Map.of("beak", 42.5f, "island", "Dream", "species", "Gentoo"));
    // Re-encode the beak feature's float_list with an unpacked (fixed32) value.
    ByteArrayOutputStream floatList = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(floatList);
    out.writeFloat(1, 42.5f);
    out.flush();
    Feature unpacked =
        Feature.newBuilder().setFloatList(FloatList.parseFrom(floatList.toByteArray())).build();
    Example e =
        valid.toBuilder()
            .setFeatures(valid.getFeatures().toBuilder().putFeature("beak", unpacked))
            .build();
    byte[] bytes = rawWithUnpackedBeak(e);
    RawRow fast = wire.tryDecode(bytes);
    assertNotNull(fast);
    assertEquals(examples.decode(Example.parseFrom(bytes), "f", 0), fast);
    assertEquals(42.5f, fast.number(0));
  }

  @Test
  void everythingTheFullDecoderRejectsFallsBack() {
    Example valid = examples.encode(Map.of("beak", 40, "island", "Dream", "species", "Adelie"));
    Features f = valid.getFeatures();
    Feature two = Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(1).addValue(2)).build();
    Features[] bad = {
      f.toBuilder().removeFeature("island").build(),
      f.toBuilder().removeFeature("species").build(),
      f.toBuilder().putFeature("beak", bytes("1")).build(),
      f.toBuilder().putFeature("island", floats(1)).build(),
      f.toBuilder().putFeature("beak", two).build(),
      f.toBuilder().putFeature("beak", Feature.getDefaultInstance()).build(),
      f.toBuilder().putFeature("island", Feature.newBuilder().setBytesList(BytesList.getDefaultInstance()).build()).build(),
      f.toBuilder().putFeature("species", bytes("Chinstrap")).build(),
      Features.getDefaultInstance(),
    };
    for (Features features : bad) {
      byte[] bytes = Example.newBuilder().setFeatures(features).build().toByteArray();
      assertNull(wire.tryDecode(bytes), features.toString());
    }
  }

  @Test
  void randomlyCorruptedRecordsNeverDisagree() {
    Random random = new Random(2);
    byte[] valid =
        examples.encode(Map.of("beak", 40, "island", "Dream", "species", "Adelie")).toByteArray();
    int fastAccepted = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = valid.clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      RawRow fast = wire.tryDecode(bytes);
      if (fast == null) {
        continue;
      }
      fastAccepted++;
      Example parsed;
      try {
        parsed = Example.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("fast path accepted bytes protobuf rejects: " + fast, e);
      }
      assertEquals(examples.decode(parsed, "f", i), fast, "corruption " + i);
    }
    assertTrue(fastAccepted > 100, "some corruptions (e.g. of float bits) stay valid: " + fastAccepted);
  }

  /** The Example's bytes with the beak float_list written unpacked (protobuf-java packs it). */
  private static byte[] rawWithUnpackedBeak(Example e) throws Exception {
    ByteArrayOutputStream features = new ByteArrayOutputStream();
    CodedOutputStream fo = CodedOutputStream.newInstance(features);
    for (Map.Entry<String, Feature> entry : e.getFeatures().getFeatureMap().entrySet()) {
      ByteArrayOutputStream entryBytes = new ByteArrayOutputStream();
      CodedOutputStream eo = CodedOutputStream.newInstance(entryBytes);
      eo.writeString(1, entry.getKey());
      ByteString value;
      if (entry.getKey().equals("beak")) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        CodedOutputStream lo = CodedOutputStream.newInstance(list);
        lo.writeFloat(1, entry.getValue().getFloatList().getValue(0));
        lo.flush();
        ByteArrayOutputStream feature = new ByteArrayOutputStream();
        CodedOutputStream ffo = CodedOutputStream.newInstance(feature);
        ffo.writeByteArray(2, list.toByteArray());
        ffo.flush();
        value = ByteString.copyFrom(feature.toByteArray());
      } else {
        value = entry.getValue().toByteString();
      }
      eo.writeBytes(2, value);
      eo.flush();
      fo.writeByteArray(1, entryBytes.toByteArray());
    }
    fo.flush();
    ByteArrayOutputStream example = new ByteArrayOutputStream();
    CodedOutputStream xo = CodedOutputStream.newInstance(example);
    xo.writeByteArray(1, features.toByteArray());
    xo.flush();
    return example.toByteArray();
  }

  private static Feature bytes(String s) {
    return Feature.newBuilder()
        .setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8(s)))
        .build();
  }

  private static Feature floats(float v) {
    return Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(v)).build();
  }
}
