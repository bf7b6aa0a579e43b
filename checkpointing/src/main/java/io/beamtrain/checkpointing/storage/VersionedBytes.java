package io.beamtrain.checkpointing.storage;

/** An object's content with the generation it was read at. */
public record VersionedBytes(byte[] data, long generation) {}
