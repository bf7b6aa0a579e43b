package io.beamtrain.checkpointing;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.MetaGraphDef;

/**
 * A graph imported from a {@code .meta} file with its variables restored from a checkpoint, ready
 * to run. Owns the {@link Graph} and {@link Session}: close it. The session is as thread-safe as
 * TensorFlow's (concurrent {@code run} calls are allowed).
 */
public final class LoadedModel implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final MetaGraphDef metaGraphDef;
  private final SaverGraph saver;

  LoadedModel(Graph graph, Session session, MetaGraphDef metaGraphDef, SaverGraph saver) {
    this.graph = graph;
    this.session = session;
    this.metaGraphDef = metaGraphDef;
    this.saver = saver;
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public MetaGraphDef metaGraphDef() {
    return metaGraphDef;
  }

  /** The imported saver, to restore another checkpoint of the same model into this session. */
  public SaverGraph saver() {
    return saver;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
