package dev.tailorpo.diffusion.io;

/**
 * A storage a checkpoint's pickle refers to by persistent id: which zip entry holds its bytes,
 * their element type and count. Resolved lazily: no byte of the entry is read until a tensor on
 * it is loaded.
 *
 * @param key the storage key in the pickle ({@code '0'}, {@code '1'}, ...)
 * @param entryName the zip entry holding the data ({@code <prefix>/data/<key>})
 * @param dtype the element type
 * @param numel the number of elements the pickle declares (the entry is checked to hold them)
 */
record TorchStorageRef(String key, String entryName, TorchDType dtype, long numel) {}
