package io.beamtrain.checkpointing.testing;

/**
 * The {@code Content-Range} of a resumable-upload PUT: {@code bytes first-last/total}, {@code bytes
 * first-last/*}, {@code bytes * /total} (finalize or status check) or {@code bytes * /*} (status
 * check).
 *
 * @param first first byte offset of the body, -1 when the request carries no bytes
 * @param last last byte offset (inclusive), -1 when no bytes
 * @param total object size when the client knows it, -1 for {@code *}
 */
record ContentRange(long first, long last, long total) {

  boolean hasBytes() {
    return first >= 0;
  }

  long length() {
    return hasBytes() ? last - first + 1 : 0;
  }

  boolean totalKnown() {
    return total >= 0;
  }

  static ContentRange parse(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    if (!h.startsWith("bytes ")) {
      throw GcsError.invalid("Malformed Content-Range header: " + header);
    }
    String spec = h.substring(6).trim();
    int slash = spec.indexOf('/');
    if (slash < 0) {
      throw GcsError.invalid("Malformed Content-Range header: " + header);
    }
    String range = spec.substring(0, slash).trim();
    String totalText = spec.substring(slash + 1).trim();
    try {
      long total = totalText.equals("*") ? -1 : Long.parseLong(totalText);
      if (range.equals("*")) {
        return new ContentRange(-1, -1, total);
      }
      int dash = range.indexOf('-');
      long first = Long.parseLong(range.substring(0, dash));
      long last = Long.parseLong(range.substring(dash + 1));
      if (first < 0 || last < first || (total >= 0 && last >= total)) {
        throw GcsError.invalid("Invalid Content-Range header: " + header);
      }
      return new ContentRange(first, last, total);
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw GcsError.invalid("Malformed Content-Range header: " + header);
    }
  }
}
