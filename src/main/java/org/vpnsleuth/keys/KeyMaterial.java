package org.vpnsleuth.keys;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Key material supplied by the user: pre-shared keys, Diffie-Hellman secrets, IKE SA keys, ESP SA
 * keys and strongSwan log dumps, each remembering the file and line it came from. Nothing here is
 * ever printed unless asked ({@link #toString()} shows counts only): secrets stay secret.
 */
public final class KeyMaterial {
    /** A pre-shared key, for any peer or for one address. */
    public record Psk(byte[] secret, String peer, String source) {
        @Override
        public String toString() {
            return "psk (" + secret.length + " bytes" + (peer != null ? ", peer " + peer : "") + ") from " + source;
        }
    }

    /** The Diffie-Hellman shared secret g^ir / g^xy of the IKE SA with this initiator SPI (cookie). */
    public record DhSecret(long spiI, byte[] secret, String source) {
        @Override
        public String toString() {
            return String.format("dh %016x (%d bytes) from %s", spiI, secret.length, source);
        }
    }

    /**
     * The Diffie-Hellman secret of one child SA exchange with PFS: the IKEv2 CREATE_CHILD_SA (or
     * the IKEv1 Quick Mode) with message ID {@code mid} of the IKE SA whose initiator SPI (cookie)
     * is {@code spiI}.
     */
    public record ChildDhSecret(long spiI, long mid, byte[] secret, String source) {
        @Override
        public String toString() {
            return String.format("dh-child %016x %d (%d bytes) from %s", spiI, mid, secret.length, source);
        }
    }

    /**
     * IKEv2 SA keys; an absent key is null. {@code encr}/{@code keyBits}/{@code integ} name the
     * algorithms when the source says them (tcpdump's secrets do), -1 otherwise: the negotiation in
     * the capture tells them then.
     */
    public record Ikev2Keys(long spiI, long spiR, byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi,
            byte[] skPr, String source, int encr, int keyBits, int integ) {
        public Ikev2Keys(long spiI, long spiR, byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi,
                byte[] skPr, String source) {
            this(spiI, spiR, skD, skAi, skAr, skEi, skEr, skPi, skPr, source, -1, 0, -1);
        }

        @Override
        public String toString() {
            return String.format("ikev2 %016x/%016x from %s", spiI, spiR, source);
        }
    }

    /** IKEv1 SA keys: the encryption key actually used (Ka, or SKEYID_e when long enough), SKEYID_a/_d. */
    public record Ikev1Keys(long cookieI, long cookieR, byte[] encKey, byte[] skeyidA, byte[] skeyidD, String source) {
        @Override
        public String toString() {
            return String.format("ikev1 %016x/%016x from %s", cookieI, cookieR, source);
        }
    }

    /**
     * An ESP SA's keys: SPI (and the destination it belongs to when known), the cipher and integrity
     * algorithm by their IKEv2 transform IDs (-1 when the source did not say), the keys (an AEAD's
     * salt at the end of the encryption key, as IKE derives it), and whether the SA uses Extended
     * Sequence Numbers (RFC 4303 §2.2.1).
     */
    /** The {@link EspKey#spi} of a key for any SPI (Wireshark's esp_sa SPI "*"): tried on SPIs no other key names. */
    public static final long ANY_SPI = -1;

    public record EspKey(long spi, String dst, int encr, int keyBits, byte[] encKey, int integ, byte[] authKey, boolean esn,
            String source) {
        public EspKey(long spi, String dst, int encr, int keyBits, byte[] encKey, int integ, byte[] authKey, String source) {
            this(spi, dst, encr, keyBits, encKey, integ, authKey, false, source);
        }

        @Override
        public String toString() {
            return String.format("esp 0x%08x%s from %s", spi, dst != null ? "@" + dst : "", source);
        }
    }

    /**
     * An AH SA's key (RFC 4302): SPI (and destination when known), the integrity algorithm by its
     * IKEv2 transform ID, the key, and whether the SA uses Extended Sequence Numbers (§2.5.1).
     */
    public record AhKey(long spi, String dst, int integ, byte[] authKey, boolean esn, String source) {
        @Override
        public String toString() {
            return String.format("ah 0x%08x%s from %s", spi, dst != null ? "@" + dst : "", source);
        }
    }

    /**
     * What a strongSwan level-4 log printed for one IKE SA (one "&lt;name|N&gt;" of one file): every
     * dump by name (the first value of each), and every value in order, so the SA can be matched to
     * the capture by the nonces, KE values and SPIs its dumps contain.
     */
    public record LoggedSa(String source, String id, Map<String, byte[]> first, List<Map.Entry<String, byte[]>> all,
            List<ChildSpis> children) {
        /** The k-th value dumped under {@code name}, or null. */
        public byte[] nth(String name, int k) {
            int i = 0;
            for (Map.Entry<String, byte[]> e : all) {
                if (e.getKey().equals(name) && i++ == k) {
                    return e.getValue();
                }
            }
            return null;
        }

        public byte[] get(String name) {
            return first.get(name);
        }

        /**
         * The key {@code name} ("encryption initiator key" ...) of the c-th child SA: the last dump of
         * that name before its "established" line and after the previous child's (an AEAD child
         * prints no integrity keys, so counting dumps by name would pair the next child with the
         * wrong ones); null when there is none.
         */
        public byte[] childKey(String name, int c) {
            if (c < 0 || c >= children.size()) {
                return null;
            }
            int from = c == 0 ? 0 : children.get(c - 1).at();
            int to = Math.min(children.get(c).at(), all.size());
            byte[] v = null;
            for (int i = Math.max(0, from); i < to; i++) {
                if (all.get(i).getKey().equals(name)) {
                    v = all.get(i).getValue();
                }
            }
            return v;
        }

        /** True when {@code value} (a nonce, a KE value) is one of the dumps or inside one. */
        public boolean mentions(byte[] value) {
            if (value == null || value.length < 8) {
                return false;
            }
            for (Map.Entry<String, byte[]> e : all) {
                if (indexOf(e.getValue(), value) >= 0) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return "strongSwan log SA " + id + " (" + first.size() + " values) from " + source;
        }
    }

    /**
     * A child SA as a strongSwan log names it: "established with SPIs IN_i OUT_o" (in and out from
     * the logging peer's side) and the ESP/AH proposal it selected ("ESP:AES_GCM_16_256/NO_EXT_SEQ"),
     * in the order the log established them; {@code at} is how many dumps of its IKE SA the log had
     * printed by then (its keys are the dumps before it, see {@link LoggedSa#childKey}).
     */
    public record ChildSpis(long in, long out, String proposal, int at) {
        /** True for an AH child SA ("AH:HMAC_SHA2_256_128/NO_EXT_SEQ"). */
        public boolean ah() {
            return proposal != null && proposal.startsWith("AH:");
        }

        /** True when the proposal selected Extended Sequence Numbers ("/EXT_SEQ", not "/NO_EXT_SEQ"). */
        public boolean esn() {
            return proposal != null && java.util.Arrays.asList(proposal.substring(proposal.indexOf(':') + 1).split("/"))
                    .contains("EXT_SEQ");
        }
    }

    public final List<Psk> psks = new ArrayList<>();
    /**
     * Pre-shared keys a strongSwan log printed while computing an IKEv2 shared-key AUTH (the dump
     * named "secret" of an IKE SA that did no EAP): the AUTH checks use them when no key was given
     * with --psk or a psk line (given keys say what to check against).
     */
    public final List<Psk> loggedPsks = new ArrayList<>();

    /** The keys an IKEv2 AUTH check tries: the given ones, else the logged ones. */
    public List<Psk> authPsks() {
        return psks.isEmpty() ? loggedPsks : psks;
    }
    public final List<DhSecret> dhSecrets = new ArrayList<>();
    public final List<ChildDhSecret> childDhSecrets = new ArrayList<>();
    public final List<Ikev2Keys> ikev2 = new ArrayList<>();
    public final List<Ikev1Keys> ikev1 = new ArrayList<>();
    public final List<EspKey> esp = new ArrayList<>();
    public final List<AhKey> ah = new ArrayList<>();
    public final List<LoggedSa> logged = new ArrayList<>();
    /**
     * What was read but not used, or used differently than a reader might expect ("FILE:LINE:
     * ..."): Wireshark table records with an algorithm vpnsleuth lacks, wildcard addresses, extra
     * columns. Never a key value; the commands print them as notes.
     */
    public final List<String> notes = new ArrayList<>();
    /**
     * Files that were read but hold nothing usable as keys ("FILE: what it was recognised as, what it
     * lacks, how to make the daemon log it"), said once per file as a warning; the analysis goes on.
     */
    public final List<String> warnings = new ArrayList<>();
    /** The daemons' outcome lines and the SPIs that tie their SAs to the capture (charon and pluto logs, --log). */
    public final DaemonLog daemonLog = new DaemonLog();

    /** Adds everything {@code o} holds (one more file, read on its own so that a file that fails adds nothing). */
    public void addAll(KeyMaterial o) {
        psks.addAll(o.psks);
        for (Psk p : o.loggedPsks) {
            if (loggedPsks.stream().noneMatch(x -> java.util.Arrays.equals(x.secret(), p.secret()))) {
                loggedPsks.add(p);
            }
        }
        dhSecrets.addAll(o.dhSecrets);
        childDhSecrets.addAll(o.childDhSecrets);
        ikev2.addAll(o.ikev2);
        ikev1.addAll(o.ikev1);
        esp.addAll(o.esp);
        ah.addAll(o.ah);
        logged.addAll(o.logged);
        notes.addAll(o.notes);
        warnings.addAll(o.warnings);
        daemonLog.addAll(o.daemonLog);
    }

    public boolean isEmpty() {
        return psks.isEmpty() && loggedPsks.isEmpty() && dhSecrets.isEmpty() && childDhSecrets.isEmpty() && ikev2.isEmpty() && ikev1.isEmpty() && esp.isEmpty()
                && ah.isEmpty() && logged.isEmpty();
    }

    /** Counts only: key material is never shown. */
    @Override
    public String toString() {
        return psks.size() + " PSK(s), " + dhSecrets.size() + " DH secret(s), " + childDhSecrets.size()
                + " child SA DH secret(s), " + ikev2.size() + " IKEv2 SA key set(s), "
                + ikev1.size() + " IKEv1 SA key set(s), " + esp.size() + " ESP SA key(s), " + ah.size() + " AH SA key(s), " + logged.size()
                + " IKE SA(s) from strongSwan logs";
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static Map<String, byte[]> firstByName(List<Map.Entry<String, byte[]>> all) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : all) {
            m.putIfAbsent(e.getKey(), e.getValue());
        }
        return m;
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
