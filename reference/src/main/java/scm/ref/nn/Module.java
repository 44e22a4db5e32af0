package scm.ref.nn;

import java.util.List;

/**
 * Anything that owns parameters. Layers follow the llm.c pattern: explicit forward, JVP and
 * backward methods per layer, the forward pass keeping what backward needs in fields.
 */
public interface Module {
    /** This module's parameters (and its children's), in a fixed order, named hierarchically. */
    List<Param> params();

    default void zeroGrad() { for (Param p : params()) p.zeroGrad(); }
}
