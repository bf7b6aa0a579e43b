package io.beamtrain.checkpointing;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.beamtrain.checkpointing.storage.StorageConfig;
import io.beamtrain.checkpointing.storage.Storages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;

/**
 * {@code .meta} files: a {@link MetaGraphDef} holding the graph, the {@link SaverDef} of its
 * save/restore ops, the {@link GraphCollections variable and train-op collections} and optional
 * signatures, as Python's {@code Saver.export_meta_graph} writes it. With it, Python's {@code
 * tf.compat.v1.train.import_meta_graph} or {@link #importAndRestore} bring a model back from a
 * checkpoint without the code that built it, and Python can keep training it.
 */
public final class MetaGraphs {
  private MetaGraphs() {}

  /** The meta-graph of {@code graph} as it is now, every variable trainable (see {@link GraphCollections#allTrainable}). */
  public static MetaGraphDef toMetaGraphDef(
      Graph graph, SaverDef saverDef, Map<String, SignatureDef> signatures) {
    return toMetaGraphDef(graph, saverDef, signatures, GraphCollections.allTrainable());
  }

  /** The meta-graph of {@code graph} as it is now, with {@code collections}. */
  public static MetaGraphDef toMetaGraphDef(
      Graph graph, SaverDef saverDef, Map<String, SignatureDef> signatures, GraphCollections collections) {
    return toMetaGraphDef(graph, graph.toGraphDef(), saverDef, signatures, collections);
  }

  /**
   * The meta-graph recording {@code graphDef}, a snapshot of {@code graph} taken before ops that
   * do not belong in the {@code .meta} file were added (a trainer's unrolled multi-step blocks);
   * the collections are those of {@code graph}'s variables.
   */
  public static MetaGraphDef toMetaGraphDef(
      Graph graph, GraphDef graphDef, SaverDef saverDef, Map<String, SignatureDef> signatures,
      GraphCollections collections) {
    return MetaGraphDef.newBuilder()
        .setMetaInfoDef(
            MetaGraphDef.MetaInfoDef.newBuilder()
                .setTensorflowVersion(TensorFlow.version()))
        .setGraphDef(graphDef)
        .setSaverDef(saverDef)
        .putAllCollectionDef(collections.toCollectionDefs(graph))
        .putAllSignatureDef(signatures)
        .build();
  }

  /** {@link #toBytes(Graph, SaverDef, Map, GraphCollections)} with every variable trainable. */
  public static byte[] toBytes(Graph graph, SaverDef saverDef, Map<String, SignatureDef> signatures) {
    return toBytes(graph, saverDef, signatures, GraphCollections.allTrainable());
  }

  /**
   * {@link #toMetaGraphDef} serialized: the content of a {@code .meta} file. Serialized
   * deterministically (map entries such as node attributes sorted by key), so the same graph always
   * gives the same bytes; TensorFlow's own GraphDef export does not promise that.
   */
  public static byte[] toBytes(
      Graph graph, SaverDef saverDef, Map<String, SignatureDef> signatures, GraphCollections collections) {
    return toBytes(toMetaGraphDef(graph, saverDef, signatures, collections));
  }

  /** {@link #toMetaGraphDef(Graph, GraphDef, SaverDef, Map, GraphCollections)} serialized. */
  public static byte[] toBytes(
      Graph graph, GraphDef graphDef, SaverDef saverDef, Map<String, SignatureDef> signatures,
      GraphCollections collections) {
    return toBytes(toMetaGraphDef(graph, graphDef, saverDef, signatures, collections));
  }

  private static byte[] toBytes(MetaGraphDef meta) {
    byte[] out = new byte[meta.getSerializedSize()];
    CodedOutputStream stream = CodedOutputStream.newInstance(out);
    stream.useDeterministicSerialization();
    try {
      meta.writeTo(stream);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize MetaGraphDef", e);
    }
    stream.checkNoSpaceLeft();
    return out;
  }

  /**
   * Imports the meta-graph into a new graph and restores the variables from {@code
   * checkpointPrefix} (local or gs://) by running the restore op its saver_def names.
   *
   * @throws IllegalArgumentException if {@code meta} is not a MetaGraphDef with a saver_def
   */
  public static LoadedModel importAndRestore(byte[] meta, String checkpointPrefix, StorageConfig config) {
    return importAndRestore(parse(meta, "the given bytes"), checkpointPrefix, config);
  }

  /** As {@link #importAndRestore(byte[], String, StorageConfig)}, reading the {@code .meta} at a path. */
  public static LoadedModel importAndRestore(String metaPath, String checkpointPrefix, StorageConfig config) {
    byte[] bytes = Storages.forPath(metaPath, config).readBytes(metaPath);
    return importAndRestore(parse(bytes, metaPath), checkpointPrefix, config);
  }

  private static LoadedModel importAndRestore(
      MetaGraphDef meta, String checkpointPrefix, StorageConfig config) {
    Graph graph = new Graph();
    Session session = null;
    try {
      graph.importGraphDef(meta.getGraphDef());
      SaverGraph saver = SaverGraph.fromSaverDef(graph, meta.getSaverDef());
      session = new Session(graph);
      Path staging = Paths.get(System.getProperty("java.io.tmpdir"));
      try (LocalCopy local =
          LocalCopy.of(Storages.forPath(checkpointPrefix, config), checkpointPrefix, staging)) {
        saver.restore(session, local.localPrefix(), checkpointPrefix);
      }
      return new LoadedModel(graph, session, meta, saver);
    } catch (RuntimeException e) {
      if (session != null) {
        session.close();
      }
      graph.close();
      throw e;
    }
  }

  private static MetaGraphDef parse(byte[] bytes, String source) {
    MetaGraphDef meta;
    try {
      meta = MetaGraphDef.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(source + ": not a MetaGraphDef: " + e.getMessage(), e);
    }
    if (!meta.hasGraphDef() || meta.getGraphDef().getNodeCount() == 0) {
      throw new IllegalArgumentException(source + ": MetaGraphDef has no graph_def");
    }
    if (!meta.hasSaverDef()) {
      throw new IllegalArgumentException(
          source + ": MetaGraphDef has no saver_def, so its variables cannot be restored");
    }
    return meta;
  }
}
