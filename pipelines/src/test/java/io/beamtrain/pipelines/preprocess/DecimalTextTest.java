package io.beamtrain.pipelines.preprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DecimalTextTest {

  @ParameterizedTest(name = "''{0}'' decimal={1} integer={2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "0|true|true",
        "-12|true|true",
        "+7|true|true",
        "1.5|true|false",
        ".5|true|false",
        "7.|true|false",
        "-1.5e-3|true|false",
        "3E10|true|false",
        "1e400|false|false",
        "abc|false|false",
        "1f|false|false",
        "1d|false|false",
        "0x1p3|false|false",
        "Infinity|false|false",
        "NaN|false|false",
        "1e|false|false",
        ".|false|false",
        "-|false|false",
        "1,5|false|false",
        "1 2|false|false",
      })
  void grammar(String text, boolean decimal, boolean integer) {
    assertEquals(decimal, DecimalText.isDecimal(text));
    assertEquals(integer, DecimalText.isInteger(text));
  }

  @Test
  void numbersTooLargeForAFloatAreNotDecimals() {
    // NUMERIC values travel as 32-bit floats (tf.Example, the serving signature's DT_FLOAT).
    assertTrue(DecimalText.isDecimal("1" + "0".repeat(38)));
    assertTrue(DecimalText.isDecimal("3.4e38"));
    assertFalse(DecimalText.isDecimal("1" + "0".repeat(39)));
    assertFalse(DecimalText.isDecimal("1e39"));
    assertFalse(DecimalText.isDecimal("1e300"), "a finite double, but infinite as a float");
    assertFalse(DecimalText.isDecimal("-2e308"));
    assertTrue(DecimalText.isDecimal("1e-400"), "underflow to zero is still a finite number");
    assertTrue(DecimalText.isBeyondFloatRange("1e400"));
    assertFalse(DecimalText.isBeyondFloatRange("abc"));
    assertFalse(DecimalText.isBeyondFloatRange("inf"));
    assertFalse(DecimalText.isBeyondFloatRange("12"));
  }
}
