/**
 * The cryptography of IKEv1, IKEv2 and ESP, as stateless helpers over byte arrays: the PRFs and
 * prf+ ({@link org.vpnsleuth.crypto.Prf}), the integrity algorithms
 * ({@link org.vpnsleuth.crypto.Integrity}), the ciphers with their AEAD tag checks
 * ({@link org.vpnsleuth.crypto.Encryption}), and the key derivations of IKEv2
 * ({@link org.vpnsleuth.crypto.Ikev2Keys}) and IKEv1 ({@link org.vpnsleuth.crypto.Ikev1Keys},
 * with the IKEv1 CBC IV chain in {@link org.vpnsleuth.crypto.Ikev1Cbc}).
 *
 * <p>Conventions: algorithms are named by their IANA IDs (IKEv2 transform IDs, plus lookups for
 * the IKEv1 and IPsec DOI attribute values); every array passed in is read, never kept or changed;
 * every array returned is new. Exceptions mean a programming error (a key of the wrong length, an
 * IV of the wrong size); anything that depends on bytes from the wire (an ICV that does not match,
 * a ciphertext of a length the mode cannot have) is a normal result. Nothing here logs or prints,
 * and no {@code toString} shows key material.
 */
package org.vpnsleuth.crypto;
