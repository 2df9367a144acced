package io.brokest.internal.util;

/**
 * Text a peer sent, made safe to log: a control character (a newline could forge a whole log line)
 * shows as {@code ?}, and text longer than the limit is cut, saying how long it was.
 */
public final class Printable {
    private Printable() {
    }

    public static String of(String text, int maxChars) {
        if (text == null) {
            return null;
        }
        int shown = Math.min(text.length(), maxChars);
        StringBuilder out = new StringBuilder(shown + 24);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (text.length() > maxChars) {
            out.append("...(").append(text.length()).append(" characters)");
        }
        return out.toString();
    }
}
