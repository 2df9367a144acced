package io.brokest.internal.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Appends big-endian primitives and length-prefixed strings to a growing byte array. Not thread-safe. */
public final class WireWriter {
    private byte[] buf;
    private int len;

    public WireWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    public WireWriter putByte(int b) {
        ensure(1);
        buf[len++] = (byte) b;
        return this;
    }

    public WireWriter putBoolean(boolean b) {
        return putByte(b ? 1 : 0);
    }

    public WireWriter putInt(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    public WireWriter putLong(long v) {
        putInt((int) (v >>> 32));
        return putInt((int) v);
    }

    /** A string as its UTF-8 length (int, -1 for null) and bytes. */
    public WireWriter putString(String s) {
        if (s == null) {
            return putInt(-1);
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        putInt(bytes.length);
        return putRaw(bytes, 0, bytes.length);
    }

    /** A byte array as its length (int) and bytes. */
    public WireWriter putBytes(byte[] bytes) {
        putInt(bytes.length);
        return putRaw(bytes, 0, bytes.length);
    }

    /** Bytes without a length: only for the last field of a message. */
    public WireWriter putRaw(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, len, length);
        len += length;
        return this;
    }

    public int length() {
        return len;
    }

    public byte[] toByteArray() {
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }
}
