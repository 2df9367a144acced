package io.brokest.daemon;

import io.brokest.Brokest;
import io.brokest.TaskSerializationException;

/**
 * A client JVM for {@link FreshClientJvmIT}: submits a task capturing a chain too deep to serialize,
 * as the first thing it does, then checks the JVM is still whole. Exit 0 when all is well.
 */
public final class DeepCaptureClient {
    /** A linked chain, which Kryo writes with one nested call per link. */
    static final class Link {
        Link next;
        int value;
    }

    public static void main(String[] args) {
        Link head = new Link();
        Link last = head;
        for (int i = 0; i < 200_000; i++) {
            last.next = new Link();
            last = last.next;
        }
        Link chain = head;
        try (Brokest brokest = Brokest.connect()) {
            brokest.submit(() -> chain.value);
            System.out.println("submitted a task that cannot be serialized");
            System.exit(3);
        } catch (TaskSerializationException e) {
            System.out.println("refused: " + e.getMessage());
        }
        System.out.println(new StringBuffer("the JVM's classes still work"));
    }
}
