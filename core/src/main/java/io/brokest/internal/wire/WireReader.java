package io.brokest.internal.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link WireWriter} wrote, checking every length against what is left so that a
 * truncated or forged frame fails with {@link MalformedMessageException} instead of a huge allocation.
 */
public final class WireReader {
    private final byte[] buf;
    private int pos;

    public WireReader(byte[] buf, int offset) {
        this.buf = buf;
        this.pos = offset;
    }

    private void need(int n, String what) throws MalformedMessageException {
        if (n < 0 || buf.length - pos < n) {
            throw new MalformedMessageException("truncated message: " + what + " needs " + n
                    + " bytes, " + (buf.length - pos) + " left");
        }
    }

    public int getByte() throws MalformedMessageException {
        need(1, "byte");
        return buf[pos++] & 0xff;
    }

    public boolean getBoolean() throws MalformedMessageException {
        return getByte() != 0;
    }

    public int getInt() throws MalformedMessageException {
        need(4, "int");
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long getLong() throws MalformedMessageException {
        return ((long) getInt() << 32) | (getInt() & 0xffffffffL);
    }

    public String getString() throws MalformedMessageException {
        int n = getInt();
        if (n == -1) {
            return null;
        }
        need(n, "string");
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    public byte[] getBytes() throws MalformedMessageException {
        int n = getInt();
        need(n, "byte array");
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /** Everything left. */
    public byte[] getRest() {
        byte[] out = Arrays.copyOfRange(buf, pos, buf.length);
        pos = buf.length;
        return out;
    }

    public void expectEnd() throws MalformedMessageException {
        if (pos != buf.length) {
            throw new MalformedMessageException((buf.length - pos) + " unexpected trailing bytes");
        }
    }
}
