package dev.tailorpo.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * One named weight of a {@link Module}: its declared shape, its initialiser and, once allocated
 * or loaded, its array. The shape is known before any memory is allocated, so a model the size of
 * SD 1.5 can be built and checked against a checkpoint's header without holding its weights.
 */
public final class Param {
    private final String name;
    private final Shape shape;
    private final Init init;
    private NDArray array;
    private boolean trainable;

    Param(String name, Shape shape, Init init) {
        this.name = name;
        this.shape = shape;
        this.init = init;
    }

    /** The local name within its module (e.g. {@code weight}). */
    public String name() {
        return name;
    }

    public Shape shape() {
        return shape;
    }

    Init init() {
        return init;
    }

    /** Whether the array has been allocated or loaded. */
    public boolean isSet() {
        return array != null;
    }

    /** The value; fails when the model's weights were never loaded. */
    public NDArray array() {
        if (array == null) {
            throw new IllegalStateException("parameter '" + name + "' " + shape + " has no value: load or initialize the model first");
        }
        return array;
    }

    /** Replaces the value (shape already checked by the caller); keeps the trainable flag. */
    void set(NDArray value) {
        if (array != null && array != value) {
            array.close();
        }
        array = value;
        array.setRequiresGradient(trainable);
    }

    /** Whether the optimizer updates this parameter (autograd records gradients for it). */
    public boolean trainable() {
        return trainable;
    }

    /** Marks the parameter trainable or frozen. */
    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
        if (array != null) {
            array.setRequiresGradient(trainable);
        }
    }

    @Override
    public String toString() {
        return name + shape;
    }
}
