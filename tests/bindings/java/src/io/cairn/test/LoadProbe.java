package io.cairn.test;

import io.cairn.Cairn;

/**
 * Loads the library in a fresh JVM (started by {@link TestMain} with
 * {@code -Dcairn.lib=...}) and prints what happened: {@code loaded} or the
 * exception's class and message.
 */
public final class LoadProbe {
    private LoadProbe() {}

    public static void main(String[] args) {
        try {
            Cairn.load();
            System.out.println("loaded");
        } catch (IllegalStateException e) {
            System.out.println(e.getClass().getName() + ": " + e.getMessage());
            // A second call fails the same way (the failure is remembered).
            try {
                Cairn.databaseExists();
            } catch (IllegalStateException again) {
                System.out.println("again: " + again.getMessage().equals(e.getMessage()));
            }
        }
    }
}
