package org.vpnsleuth.keys;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vpnsleuth.base.TextLines;

/**
 * libreswan's pluto log (4.x and 5.x; its own logfile with or without {@code logtime}, or syslog /
 * journald lines of {@code pluto[PID]}): what it holds for the analysis.
 * <ul>
 * <li>{@code plutodebug=base} (part of {@code all}): the IKE SPIs (IKEv1 cookies) of each state
 * ("hash_table_entries.ike_spis ... #1: ac a8 ...") tie its states to the capture's SAs;</li>
 * <li>{@code plutodebug=crypt}: the pre-shared key ("| PreShared Key" and its hex rows), used for the
 * PSK checks like a PSK a strongSwan log printed; and each child SA's keys, both directions ({@link ChildKeys});</li>
 * <li>{@code plutodebug=private}: the IKEv2 SA's SK_a/SK_e in tcpdump's form ("| ikev2 I 0x.. 0x.. sha256:0x..
 * aes256:0x..") and the keys of each SA handed to the kernel ("ESP enckey:" before "add_sa()");</li>
 * <li>without debug: the outcome lines ('"vpn" #2: ...', "ERROR: ..."), kept as evidence
 * ({@link DaemonLog}).</li>
 * </ul>
 * libreswan 4.10 derives SKEYSEED, SK_d and SK_p inside NSS and never prints them; IKEv1 SA keys are not printed
 * (docs/keys.md).
 */
final class PlutoLogs {
    private PlutoLogs() {
    }

    /** A pluto line: its logtime stamp, a syslog "pluto[PID]:", its start-up banner, or a state's '"conn" #N: '. */
    private static final Pattern PLUTO = Pattern.compile(
            "^[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2}\\.\\d{6}: |\\bpluto\\[\\d+\\]: |Starting Pluto \\(Libreswan"
                    + "|^\"[^\"]+\"(?:\\[\\d+\\])? (?:[^ ]+ )*#\\d+: |^\\| ");

    static boolean looksLikePluto(String line) {
        return PLUTO.matcher(line).find();
    }

    /** Longest pre-shared key read from a dump, in bytes (libreswan's PSKs are text of a few dozen bytes). */
    private static final int MAX_PSK = 4096;
    /** Most IKE SAs whose keys one log gives (each a few dozen bytes; a log of a long-running daemon may hold many). */
    private static final int MAX_IKE_SAS = 100_000;

    /** Names of the dumps read (a header line "| NAME" and hex rows below it); any other dump is skipped. */
    private static final java.util.Set<String> DUMPS = java.util.Set.of("PreShared Key", "PreShared Key:", "our  keymat",
            "peer keymat", "ESP KEYMAT", "inbound:", "outbound:", "SPI", "NSS.ikev1_section_5_keymat() returns:", "ESP enckey:",
            "ESP authkey:");

    static void read(String file, TextLines lines, KeyMaterial into) throws IOException {
        DaemonLog evidence = new DaemonLog();
        ChildKeys child = new ChildKeys(file, into);
        java.util.Map<String, byte[][]> ikev2 = new java.util.LinkedHashMap<>();
        java.util.Map<String, int[]> ikev2Algorithms = new java.util.LinkedHashMap<>();
        java.util.Map<String, String> ikev2Source = new java.util.HashMap<>();
        String dump = null;
        StringBuilder hex = null;
        long dumpLine = 0;
        long total = 0;
        long debug = 0;
        int psks = 0;
        for (String line; (line = lines.next()) != null; ) {
            total++;
            DaemonLog.Stamp s = DaemonLog.stamp(line);
            if (dump != null) {
                String row = DaemonLog.plutoRow(line, s);
                if (row != null) {
                    if (hex.length() <= 2 * MAX_PSK) {
                        hex.append(row);
                    }
                    continue;
                }
                if (dump.startsWith("PreShared Key")) {
                    if (addPsk(into, hex, file, dumpLine)) {
                        psks++;
                    }
                } else {
                    child.dump(dump, hex, dumpLine);
                }
                dump = null;
            }
            if (DaemonLog.plutoDebug(line, s)) {
                debug++;
                String text = line.substring(s.messageStart() + 1).strip();
                if (DUMPS.contains(text)) {
                    dump = text;
                    hex = new StringBuilder();
                    dumpLine = lines.number();
                    continue;
                }
                if (text.startsWith("ikev2 ") && ikev2.size() < MAX_IKE_SAS) {
                    // plutodebug=private: the IKE SA's SK_a/SK_e in tcpdump's secrets form, one line per direction
                    Matcher m = KeyFiles.tcpdumpIkev2(text);
                    if (m != null) {
                        String where = file + ":" + lines.number();
                        try {
                            KeyFiles.tcpdumpIkev2(m, where, ikev2, ikev2Algorithms);
                            ikev2Source.putIfAbsent(m.group(2) + m.group(3), where + " (pluto IKE SA keys)");
                        } catch (KeyFiles.KeyFileException e) {
                            into.notes.add(e.getMessage());
                        }
                        continue;
                    }
                }
                child.line(text, lines.number());
            }
            evidence.plutoLine(file, lines.number(), line, s);
        }
        if (dump != null) {
            if (dump.startsWith("PreShared Key")) {
                if (addPsk(into, hex, file, dumpLine)) {
                    psks++;
                }
            } else {
                child.dump(dump, hex, dumpLine);
            }
        }
        KeyFiles.tcpdumpIkev2Keys(ikev2, ikev2Algorithms, ikev2Source::get, into);
        into.daemonLog.addAll(evidence);
        String what = String.format("%s: a libreswan pluto log (%,d lines)", file, total);
        if (debug == 0) {
            into.warnings.add(what + " without debug lines: no SPIs tie its states to the capture (they are matched by time"
                    + " and address only), no pre-shared key and no child SA keys; its " + evidence.lines.size()
                    + " outcome line(s) are used as evidence. For more set plutodebug=\"all crypt private\" in ipsec.conf's"
                    + " config setup (docs/keys.md)");
        } else if (psks == 0 && child.count == 0 && ikev2.isEmpty()) {
            into.warnings.add(what + " without a pre-shared key ('PreShared Key' dumps need plutodebug=\"crypt\" and an SA that"
                    + " got as far as authentication; connections with certificates have none), without child SA keys (they need"
                    + " plutodebug=\"crypt\" or \"private\" and a child SA that got its keys) and without IKE SA keys (IKEv2's need"
                    + " plutodebug=\"private\"; IKEv1's are never printed): used to tie its states to the capture and as evidence (" + evidence.lines.size()
                    + " outcome line(s)); to decrypt give the strongSwan peer's log or a keys file (docs/keys.md)");
        }
    }

    private static boolean addPsk(KeyMaterial into, StringBuilder hex, String file, long line) {
        if (hex.length() == 0 || hex.length() > 2 * MAX_PSK) {
            return false;
        }
        byte[] k = DaemonLog.unhex(hex.toString());
        if (into.loggedPsks.stream().noneMatch(x -> java.util.Arrays.equals(x.secret(), k))) {
            into.loggedPsks.add(new KeyMaterial.Psk(k, null, file + ":" + line));
        }
        return true; // a key was dumped (the same key again is kept once)
    }

    /**
     * The ESP keys of the child SAs a pluto log printed with {@code plutodebug=private} (libreswan 4.10's forms, read from
     * its logs here; docs/keys.md):
     * <ul>
     * <li>IKEv2: "our  keymat" (the keys of the inbound SA, the SPI pluto allocated: "get_ipsec_spi() ... allocated X for
     * SPI") and "peer keymat" (the outbound SA, the SPI of the peer's accepted proposal "... ESP/AH proposal(s)
     * ikev2_proposal: 1:ESP=... SPI=X"), split by "integ=I: .key_size=N encrypt=E: .key_size=M .salt_size=S keymat_len=L";</li>
     * <li>IKEv1: "ESP KEYMAT" with "inbound:" and "outbound:" dumps, each the result of an RFC 2409 §5.5 KEYMAT
     * computation whose "SPI" dump names its SPI, split and named by "looking for alg with encrypt: E keylen: N integ: I"
     * and "keymat_len=L is encrypt_keymat_size=M + integ_keymat_size=N";</li>
     * <li>both: "ESP enckey:" and "ESP authkey:" before each "add_sa() level=0 inbound|outbound ... SRC[SPI]...==>DST ..."
     * (the keys handed to the kernel).</li>
     * </ul>
     * Each key is kept once per SPI (the keymat and the add_sa dumps of one SA are the same bytes); the encryption key
     * ends with an AEAD's salt, as the strongSwan log's and Wireshark's keys do. AH child SAs are not read.
     */
    static final class ChildKeys {
        private static final Pattern ALLOCATED = Pattern.compile("get_ipsec_spi\\(\\) \\.\\.\\. allocated ([0-9a-f]{8}) for SPI");
        private static final Pattern SPI_FOR = Pattern.compile("get_ipsec_spi\\(\\) (\\S+)-ESP->(\\S+) ");
        private static final Pattern PEER_SPI = Pattern.compile(
                "remote ESP/AH proposals? ikev2_proposal: \\d+:ESP=(\\S+) SPI=([0-9a-f]{8})");
        private static final Pattern V2_SPLIT = Pattern.compile(
                "^integ=(\\w+): \\.key_size=(\\d+) encrypt=(\\w+): \\.key_size=(\\d+) \\.salt_size=(\\d+) keymat_len=(\\d+)$");
        private static final Pattern ALG = Pattern.compile("looking for alg with encrypt: (\\w+) keylen: (\\d+) integ: (\\w+)$");
        private static final Pattern SPLIT = Pattern.compile(
                "keymat_len=(\\d+) is encrypt_keymat_size=(\\d+) \\+ integ_keymat_size=(\\d+)$");
        private static final Pattern ADD_SA = Pattern.compile(
                "add_sa\\(\\) level=\\d+ (inbound|outbound) \\S+ \\S*?->([^\\[ ]+)\\[([0-9a-f]{8})\\]\\S*==>([^- ]+)\\S* .*"
                        + " (\\w+):(\\d+) (\\w+):(\\d+)$");

        private final String file;
        private final KeyMaterial into;
        private final java.util.Set<Long> seen = new java.util.HashSet<>();
        int count;

        private Long ourSpi;
        private Long peerSpi;
        private String us;
        private String peer;
        private boolean esn;
        private String encName;
        private String integName;
        private int encBits = -1;
        private int encBytes = -1;
        private int integBytes = -1;
        private byte[] inKeys;
        private byte[] outKeys;
        private long keysLine;
        /** IKEv1: the SPI of the last KEYMAT computation and each computation's result, by SPI. */
        private Long v1Spi;
        private final java.util.Map<Long, byte[]> v1 = new java.util.LinkedHashMap<>();
        private byte[] encKey;
        private byte[] authKey;

        ChildKeys(String file, KeyMaterial into) {
            this.file = file;
            this.into = into;
        }

        void line(String text, long number) {
            Matcher m;
            if (text.contains("get_ipsec_spi()")) {
                if ((m = ALLOCATED.matcher(text)).find()) {
                    ourSpi = Long.parseLong(m.group(1), 16);
                } else if ((m = SPI_FOR.matcher(text)).find()) {
                    peer = m.group(1);
                    us = m.group(2);
                }
            } else if (text.contains("ESP/AH proposal") && (m = PEER_SPI.matcher(text)).find()) {
                peerSpi = Long.parseLong(m.group(2), 16);
                esn = m.group(1).endsWith("-ENABLED");
            } else if (text.startsWith("integ=") && (m = V2_SPLIT.matcher(text)).find()) {
                integName = m.group(1);
                integBytes = Integer.parseInt(m.group(2));
                encName = m.group(3);
                encBits = 8 * Integer.parseInt(m.group(4));
                encBytes = Integer.parseInt(m.group(4)) + Integer.parseInt(m.group(5));
            } else if (text.startsWith("compute_proto_keymat:")) {
                // IKEv1: a new Quick Mode child's keys follow; what an earlier child named is not its
                encName = integName = null;
                encBits = encBytes = integBytes = -1;
                esn = false;
                v1.clear();
            } else if (text.contains("looking for alg") && (m = ALG.matcher(text)).find()) {
                encName = m.group(1);
                encBits = Integer.parseInt(m.group(2));
                integName = m.group(3);
                emit();
            } else if (text.contains("keymat_len=") && (m = SPLIT.matcher(text)).find()) {
                encBytes = Integer.parseInt(m.group(2));
                integBytes = Integer.parseInt(m.group(3));
                emit();
            } else if (text.contains("add_sa()") && (m = ADD_SA.matcher(text)).find()) {
                if (encKey != null) {
                    long spi = Long.parseLong(m.group(3), 16);
                    String dst = m.group(4);
                    add(spi, dst, m.group(7), m.group(7).equals(encName) ? encBits : -1, encKey, m.group(5), authKey, number,
                            m.group(1).equals("inbound"));
                }
                encKey = authKey = null;
            }
        }

        void dump(String name, StringBuilder hex, long number) {
            byte[] v = hex.length() > 2 * 1024 ? null : DaemonLog.unhex(hex.toString());
            switch (name) {
                case "our  keymat" -> {
                    inKeys = v;
                    keysLine = number;
                }
                case "peer keymat" -> {
                    outKeys = v;
                    emit();
                }
                case "ESP KEYMAT" -> keysLine = number;
                case "inbound:" -> inKeys = v;
                case "outbound:" -> outKeys = v;
                case "SPI" -> v1Spi = v != null && v.length == 4 ? Long.valueOf(new java.math.BigInteger(1, v).longValue()) : null;
                case "NSS.ikev1_section_5_keymat() returns:" -> {
                    if (v1Spi != null && v != null && v1.size() < 8) {
                        v1.put(v1Spi, v);
                    }
                    v1Spi = null;
                }
                case "ESP enckey:" -> encKey = v;
                case "ESP authkey:" -> authKey = v;
                default -> {
                }
            }
            if (name.equals("outbound:")) {
                // IKEv1: the SPIs are those of the KEYMAT computations that gave these bytes
                for (java.util.Map.Entry<Long, byte[]> e : v1.entrySet()) {
                    if (java.util.Arrays.equals(e.getValue(), inKeys)) {
                        ourSpi = e.getKey();
                    } else if (java.util.Arrays.equals(e.getValue(), outKeys)) {
                        peerSpi = e.getKey();
                    }
                }
                emit();
            }
        }

        /** Both directions' keys, once their SPIs, algorithms and split are known. */
        private void emit() {
            if (inKeys == null || outKeys == null || ourSpi == null || peerSpi == null || encName == null || integName == null
                    || encBytes < 0 || integBytes < 0) {
                return;
            }
            long where = keysLine;
            if (inKeys.length == encBytes + integBytes) {
                add(ourSpi, us, encName, encBits, java.util.Arrays.copyOfRange(inKeys, 0, encBytes), integName,
                        java.util.Arrays.copyOfRange(inKeys, encBytes, inKeys.length), where, true);
            }
            if (outKeys.length == encBytes + integBytes) {
                add(peerSpi, peer, encName, encBits, java.util.Arrays.copyOfRange(outKeys, 0, encBytes), integName,
                        java.util.Arrays.copyOfRange(outKeys, encBytes, outKeys.length), where, false);
            }
            inKeys = outKeys = null;
            ourSpi = peerSpi = null;
            esn = false;
            v1.clear();
        }

        /**
         * One ESP SA's keys: the algorithms by pluto's names, {@code bits} the cipher's key length (-1: unknown, the name
         * alone must say it).
         */
        private void add(long spi, String dst, String enc, int bits, byte[] ek, String integ, byte[] ak, long number,
                boolean inbound) {
            if (ek == null || !seen.add(spi)) {
                return;
            }
            KeyFiles.Algorithm e = encryption(enc, bits);
            KeyFiles.Algorithm i = integ.equalsIgnoreCase("NONE") ? null : KeyFiles.algorithm(integ);
            String where = file + ":" + number;
            if (e == null || !e.kind().equals("encr") || i != null && !i.kind().equals("integ")
                    || !integ.equalsIgnoreCase("NONE") && i == null) {
                into.notes.add(where + ": pluto's child SA keys for SPI " + String.format("0x%08x", spi) + " (" + enc + "/" + integ
                        + ") not used: an algorithm vpnsleuth does not know");
                return;
            }
            into.esp.add(new KeyMaterial.EspKey(spi, dst, e.id(), e.keyBits(), ek, i == null ? 0 : i.id(),
                    ak == null || ak.length == 0 ? null : ak, esn, where + " (pluto child SA, " + (inbound ? "inbound" : "outbound") + ")"));
            count++;
        }

        /** pluto's cipher name with its key length ("AES_CBC" 256 -> aes_cbc_256), else the name alone (3DES_CBC). */
        private static KeyFiles.Algorithm encryption(String name, int bits) {
            KeyFiles.Algorithm a = bits > 0 ? KeyFiles.algorithm(name + "_" + bits) : null;
            return a != null ? a : KeyFiles.algorithm(name);
        }
    }
}
