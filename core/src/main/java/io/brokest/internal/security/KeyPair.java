package io.brokest.internal.security;

/** A CURVE public key with its secret key. */
public record KeyPair(CurveKey publicKey, CurveKey secretKey) {
    @Override
    public String toString() {
        return "KeyPair[public " + publicKey.z85() + "]";
    }
}
