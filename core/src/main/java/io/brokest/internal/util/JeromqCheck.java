package io.brokest.internal.util;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether JeroMQ loaded Brokest's patched {@code zmq.Signaler} (see that file's header) or its own.
 * With its own, everything works, but on a busy machine JeroMQ's I/O threads spin on every message
 * (measured on 2 cores: about 100 us of CPU per message and millisecond round-trip tails), so a
 * client or worker says so once, with the fix.
 */
public final class JeromqCheck {
    private static final Logger LOG = LoggerFactory.getLogger(JeromqCheck.class);
    private static volatile boolean checked;

    private JeromqCheck() {
    }

    /** True when the patched signaler is the one JeroMQ uses. */
    public static boolean patchedSignalerLoaded() {
        return patchedSignalerLoaded(JeromqCheck.class.getClassLoader());
    }

    /** True when {@code loader} loads the patched signaler. */
    public static boolean patchedSignalerLoaded(ClassLoader loader) {
        try {
            Class.forName("zmq.Signaler", false, loader).getDeclaredField("BROKEST_COUNTS_BEFORE_WRITING");
            return true;
        } catch (ClassNotFoundException | NoSuchFieldException e) {
            return false;
        }
    }

    /** Logs a warning, once per JVM, if JeroMQ's own signaler was loaded instead of Brokest's. */
    public static void warnOnceIfUnpatched() {
        if (checked) {
            return;
        }
        checked = true;
        if (!patchedSignalerLoaded()) {
            LOG.warn("JeroMQ's own zmq.Signaler was loaded instead of the fixed copy in brokest-core, because "
                    + "the jeromq jar comes first on the classpath; Brokest works, but its ZeroMQ threads will "
                    + "spin on a busy machine. Put brokest-core before jeromq (or leave jeromq out of your own "
                    + "dependencies and let Brokest bring it)");
        }
    }
}
