package io.brokest.internal.security;

import com.neilalexander.jnacl.crypto.curve25519;
import java.util.Arrays;
import zmq.util.Z85;

/**
 * A CurveZMQ key: 32 bytes, written as 40 characters of Z85 (the ZeroMQ text form). Parsing checks
 * the length and the alphabet, so a truncated or mistyped key is reported with where it came from
 * instead of failing later, deep in a handshake, as "connection closed".
 */
public final class CurveKey {
    /** Characters of a key in Z85. */
    public static final int Z85_LENGTH = 40;
    private static final String ALPHABET =
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

    private final byte[] bytes;
    private final String z85;

    private CurveKey(byte[] bytes) {
        this.bytes = bytes;
        this.z85 = Z85.encode(bytes, bytes.length);
    }

    /**
     * Parses a Z85 key.
     *
     * @param source where the text came from, for the error message (a file and line)
     * @throws IllegalArgumentException naming the source if the text is not a Z85 key
     */
    public static CurveKey parse(String text, String source) {
        String t = text == null ? "" : text.strip();
        if (t.length() != Z85_LENGTH) {
            throw new IllegalArgumentException(source + ": a CURVE key is " + Z85_LENGTH
                    + " characters of Z85, this is " + t.length() + (t.isEmpty() ? "" : " ('" + abbreviate(t) + "')")
                    + "; generate keys with 'java -jar worker-daemon.jar keygen'");
        }
        for (int i = 0; i < t.length(); i++) {
            if (ALPHABET.indexOf(t.charAt(i)) < 0) {
                throw new IllegalArgumentException(source + ": '" + t.charAt(i) + "' at position " + (i + 1)
                        + " is not a Z85 character; the key was mistyped or is not a CURVE key");
            }
        }
        byte[] decoded = Z85.decode(t);
        if (decoded == null || decoded.length != 32) {
            throw new IllegalArgumentException(source + ": not a valid Z85 key");
        }
        return new CurveKey(decoded);
    }

    /**
     * Whether a line of a key file is a comment or blank. {@code #} is a Z85 character, so it may appear
     * inside a key (a comment cannot start mid-line), but never first: it is digit 84, and 84 x 85^4 is
     * more than a 32-bit group can hold.
     */
    static boolean isCommentOrBlank(String line) {
        String t = line.strip();
        return t.isEmpty() || t.startsWith("#");
    }

    static CurveKey of(byte[] bytes) {
        if (bytes.length != 32) {
            throw new IllegalArgumentException("a CURVE key is 32 bytes, was " + bytes.length);
        }
        return new CurveKey(bytes.clone());
    }

    /** The public key that belongs to this secret key (Curve25519 scalar multiplication of the base point). */
    public CurveKey publicFromSecret() {
        byte[] pub = new byte[32];
        curve25519.crypto_scalarmult_base(pub, bytes);
        return new CurveKey(pub);
    }

    /** The 32 raw bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The key as 40 Z85 characters. */
    public String z85() {
        return z85;
    }

    private static String abbreviate(String s) {
        return s.length() <= 12 ? s : s.substring(0, 12) + "...";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CurveKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Deliberately not the key itself, so a secret never lands in a log by accident. */
    @Override
    public String toString() {
        return "CurveKey[hidden]";
    }
}
