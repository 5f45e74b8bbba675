{{ header }}
package io.cairn;

import java.io.File;
import java.util.Map;

/**
 * Loads the cairn-ffi library once and checks it matches the binding.
 *
 * <p>Where it is loaded from, first match wins: the system property
 * {@code cairn.lib} (a path, absolute or relative to the working directory:
 * {@code -Dcairn.lib=target/release/libcairn_ffi.so}), the
 * environment variable {@code CAIRN_LIB} (a path), else
 * {@code System.loadLibrary("cairn_ffi")} (a directory on
 * {@code java.library.path}, {@code -Djava.library.path=target/release}).
 */
public final class Library {
    private Library() {}

    private static volatile boolean loaded;
    private static String failure;

    /**
     * Loads and checks the library unless done already.
     *
     * @throws IllegalStateException when it cannot be loaded or does not match
     */
    public static void ensure() {
        if (loaded) {
            return;
        }
        synchronized (Library.class) {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            String where = null;
            try {
                String path = System.getProperty("cairn.lib");
                if (path == null || path.isEmpty()) {
                    path = System.getenv("CAIRN_LIB");
                }
                if (path != null && !path.isEmpty()) {
                    // System.load wants an absolute path; a relative one is
                    // relative to the working directory.
                    where = new File(path).getAbsolutePath();
                    System.load(where);
                } else {
                    where = "cairn_ffi on java.library.path (" + System.getProperty("java.library.path") + ")";
                    System.loadLibrary("cairn_ffi");
                }
            } catch (UnsatisfiedLinkError | SecurityException e) {
                failure = "Cannot load the Cairn native library from " + where + ": " + e.getMessage()
                        + ". Build it with `cargo build --release -p cairn-ffi` and point -Dcairn.lib"
                        + " (or CAIRN_LIB) at target/release/libcairn_ffi.so, or put its directory on"
                        + " -Djava.library.path.";
                throw new IllegalStateException(failure, e);
            }
            int abi;
            String hash;
            try {
                abi = Native.abiVersion();
                hash = Native.specHash();
            } catch (UnsatisfiedLinkError e) {
                failure = "The library loaded from " + where + " has no JNI entry points for io.cairn ("
                        + e.getMessage() + "); it is not a cairn-ffi build of this version.";
                throw new IllegalStateException(failure, e);
            }
            try {
                check(abi, hash);
            } catch (IllegalStateException e) {
                failure = e.getMessage();
                throw e;
            }
            loaded = true;
        }
    }

    /**
     * Refuses a library whose ABI version or spec hash differs from the
     * binding's ({@link Cairn#ABI_VERSION}, {@link Cairn#SPEC_HASH}).
     *
     * @param abiVersion the library's ABI version
     * @param specHash the library's spec hash
     * @throws IllegalStateException naming both and how to fix it
     */
    public static void check(int abiVersion, String specHash) {
        if (abiVersion != Cairn.ABI_VERSION || !Cairn.SPEC_HASH.equals(specHash)) {
            throw new IllegalStateException("Cairn binding/library mismatch: the Java binding was generated"
                    + " for ABI version " + Cairn.ABI_VERSION + " and spec hash " + Cairn.SPEC_HASH
                    + ", but the native library reports ABI version " + abiVersion + " and spec hash "
                    + specHash + ". Rebuild the library from the same checkout (`cargo build --release -p"
                    + " cairn-ffi`) or regenerate the binding (`cargo run -p cairn-codegen -- generate`)"
                    + " so that both come from the same api-spec/api.edn.");
        }
    }

    /**
     * Decodes a JNI answer: the result of {@code {"ok": result}}, or throws
     * the {@link CairnException} of {@code {"error": {...}}}.
     *
     * @param answer the JSON answer
     * @return the decoded result
     * @throws CairnException for an error answer, or when the answer is malformed
     */
    static Object answer(String answer) {
        if (answer == null) {
            throw new CairnException(CairnException.Kind.OTHER, "the native library returned no answer");
        }
        Object decoded = Json.decode(answer);
        if (decoded instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) decoded;
            if (m.containsKey("ok")) {
                return m.get("ok");
            }
            Object e = m.get("error");
            if (e instanceof Map) {
                throw CairnException.fromWire((Map<?, ?>) e);
            }
        }
        throw new CairnException(CairnException.Kind.OTHER, "malformed answer from the native library: " + answer);
    }
}
