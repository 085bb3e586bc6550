package org.vpnsleuth.track;

import org.vpnsleuth.ike.PayloadType;
import static org.vpnsleuth.decode.FieldTree.maps;
import static org.vpnsleuth.decode.FieldTree.num;
import static org.vpnsleuth.decode.FieldTree.str;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the facts the trackers and the diagnosis need out of an IKE layer's decoded fields (the
 * dissector's own output, see docs/fields.md), so that nothing is parsed twice.
 */
final class IkeFacts {
    private IkeFacts() {
    }

    // payload types (RFC 2408 §3.1, RFC 7296 §3.2)
    /** draft-beaulieu-ike-xauth: XAUTH-STATUS, 1 OK / 0 FAIL. */
    private static final long XAUTH_STATUS = 16527;
    private static final int N_NAT_DETECTION_SOURCE_IP = 16388;
    private static final int N_NAT_DETECTION_DESTINATION_IP = 16389;
    // IKEv1 SA attribute classes (RFC 2409 appendix A, RFC 2407 §4.5)
    private static final long P1_KEY_LENGTH = 14;
    private static final long P1_AUTH_METHOD = 3;
    private static final long P1_HASH = 2;
    private static final long P1_LIFE_TYPE = 11;
    private static final long P1_LIFE_DURATION = 12;
    private static final long P2_ENCAPSULATION = 4;
    private static final long P2_KEY_LENGTH = 6;
    private static final long P2_LIFE_TYPE = 1;
    private static final long P2_LIFE_DURATION = 2;

    /** The facts of an IKEv2 message from its payloads parsed once into records (ike/Ikev2Payload). */
    static void read(org.vpnsleuth.ike.IkeDissector.V2Message msg, IkeMessage m) {
        for (org.vpnsleuth.ike.IkeDissector.V2Entry e : msg.payloads()) {
            m.payloadTypes.add(e.type());
            if (e.body() != null) {
                v2(e.type(), e.body(), m);
            }
        }
    }

    private static String hex(byte[] b) {
        return b == null ? null : org.vpnsleuth.decode.Bytes.hex(b, 0, b.length);
    }

    /** A registered name, or the number as text (-1 when not reached), as the reports write it. */
    private static String nameOr(org.vpnsleuth.decode.NameTable t, Integer v) {
        String n = v == null || t == null ? null : t.name(v);
        return n != null ? n : String.valueOf(v == null ? -1 : v);
    }

    private static void v2(int t, org.vpnsleuth.ike.Ikev2Payload body, IkeMessage m) {
        if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Sa sa) {
            for (org.vpnsleuth.ike.Ikev2Payload.Proposal prop : sa.proposals()) {
                List<String> parts = new ArrayList<>();
                if (prop.transforms() != null) {
                    for (org.vpnsleuth.ike.Ikev2Payload.Transform tr : prop.transforms()) {
                        org.vpnsleuth.decode.NameTable ids = tr.type() == null ? null
                                : org.vpnsleuth.ike.Ikev2Payloads.transformIds(tr.type());
                        String n = ids == null || tr.id() < 0 ? null : ids.name(tr.id());
                        String s = n != null ? n : (tr.type() == null ? null
                                : org.vpnsleuth.ike.IkeRegistries.IKEV2_TRANSFORM_TYPES.name(tr.type())) + " "
                                + (tr.id() == null ? -1 : tr.id());
                        int kl = tr.keyLength();
                        parts.add(kl > 0 ? s + "-" + kl : s);
                    }
                }
                m.proposals.add("#" + (prop.number() == null ? 0 : prop.number()) + " "
                        + nameOr(org.vpnsleuth.ike.IkeRegistries.IKEV2_PROTOCOL_IDS, prop.protocolId()) + ": " + String.join(", ", parts));
                String spi = hex(prop.spi());
                if (prop.protocolId() != null && prop.protocolId() == 1 && spi != null && spi.length() == 16 && m.exchange == 36) {
                    m.ikeRekeySpi = spi; // an IKE SA rekey (RFC 7296 §1.3.2): the new SA's SPI from this side
                }
            }
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Ke ke) {
            m.keGroup = ke.group() == null ? -1 : ke.group();
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Notify n) {
            int nt = n.type() == null ? -1 : n.type();
            String name = n.type() == null ? null : org.vpnsleuth.ike.IkeRegistries.IKEV2_NOTIFY_TYPES.name(n.type());
            String detail = null;
            if (n.group() != null) {
                String gn = org.vpnsleuth.ike.IkeRegistries.IKEV2_KE.name(n.group());
                detail = "group " + n.group() + (gn != null ? " (" + gn + ")" : "");
            } else if (n.gateway() != null && (n.gateway().text() != null || n.gateway().bytes() != null)) {
                detail = "gateway " + (n.gateway().text() != null ? n.gateway().text() : hex(n.gateway().bytes()));
            }
            m.notifies.add(new IkeMessage.Notify(nt, name != null ? name : "notify " + nt, detail));
            if (nt == N_NAT_DETECTION_SOURCE_IP) {
                m.natDetectionSource = hex(n.hash());
            } else if (nt == N_NAT_DETECTION_DESTINATION_IP) {
                m.natDetectionDestination = hex(n.hash());
            }
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.VendorId v) {
            m.vendors.add(v.vendor() != null ? v.vendor() : "unknown " + hex(v.id()));
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Auth a) {
            m.authMethod = a.method() == null ? -1 : a.method();
            m.authMethodName = a.method() == null ? null : org.vpnsleuth.ike.IkeRegistries.IKEV2_AUTH_METHODS.name(a.method());
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Delete d) {
            List<String> spis = null;
            if (d.spis() != null) {
                spis = new ArrayList<>();
                for (byte[] x : d.spis()) {
                    spis.add(hex(x));
                }
            }
            m.deletes.add(nameOr(org.vpnsleuth.ike.IkeRegistries.IKEV2_PROTOCOL_IDS, d.protocolId())
                    + (spis != null ? " SPIs " + spis : ""));
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Ts ts) {
            if (ts.selectors() != null) {
                for (org.vpnsleuth.ike.Ikev2Payload.Selector sel : ts.selectors()) {
                    String range = sel.start() + "-" + sel.end();
                    long proto = sel.ipProtocol() == null ? 0 : sel.ipProtocol();
                    long sp = sel.startPort() == null ? 0 : sel.startPort();
                    long ep = sel.endPort() == null ? 65535 : sel.endPort();
                    m.trafficSelectors.add((t == PayloadType.V2_TSI ? "TSi " : "TSr ") + range + (proto != 0 ? " proto " + proto : "")
                            + (sp != 0 || ep != 65535 ? " ports " + sp + "-" + ep : ""));
                }
            }
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Id id) {
            String value = id.value() == null ? null : id.value().shown();
            String tn = id.idType() == null ? null : org.vpnsleuth.ike.IkeRegistries.IKEV2_ID_TYPES.name(id.idType());
            if (value != null) {
                m.identities.add((tn != null ? tn + " " : "") + value);
            }
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Skf f) {
            m.fragmentNumber = f.fragmentNumber() == null ? 0 : f.fragmentNumber();
            m.fragmentTotal = f.totalFragments() == null ? 0 : f.totalFragments();
            sealed(f.sealed(), f.encryptedLength(), m);
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Sk k) {
            sealed(k.sealed(), k.encryptedLength(), m);
        }
    }

    private static void sealed(org.vpnsleuth.ike.Ikev2Payload.Sealed s, Integer encryptedLength, IkeMessage m) {
        m.ciphertextExact = s != null && s.ciphertextLength() != null;
        m.ciphertextLength = m.ciphertextExact ? s.ciphertextLength() : encryptedLength == null ? -1 : encryptedLength;
    }

    static void read(Map<String, Object> f, IkeMessage m) {
        for (Map<String, Object> p : maps(f, "payloads")) {
            long t = num(p, "type", -1);
            m.payloadTypes.add((int) t);
            if (m.version == 2) {
                v2(p, t, m);
            } else {
                v1(p, t, m);
            }
        }
    }

    private static void v2(Map<String, Object> p, long t, IkeMessage m) {
        if (t == PayloadType.V2_SA) {
            for (Map<String, Object> prop : maps(p, "proposals")) {
                List<String> parts = new ArrayList<>();
                for (Map<String, Object> tr : maps(prop, "transforms")) {
                    String n = str(tr, "idName");
                    String s = n != null ? n : str(tr, "typeName") + " " + num(tr, "id", -1);
                    long kl = num(tr, "keyLength", -1);
                    parts.add(kl > 0 ? s + "-" + kl : s);
                }
                m.proposals.add("#" + num(prop, "number", 0) + " " + name(prop, "protocolId") + ": " + String.join(", ", parts));
                String spi = str(prop, "spi");
                if (num(prop, "protocolId", -1) == 1 && spi != null && spi.length() == 16 && m.exchange == 36) {
                    m.ikeRekeySpi = spi; // an IKE SA rekey (RFC 7296 §1.3.2): the new SA's SPI from this side
                }
            }
        } else if (t == PayloadType.V2_KE) {
            m.keGroup = (int) num(p, "group", -1);
        } else if (t == PayloadType.V2_N) {
            notify(p, m);
            long nt = num(p, "notifyType", -1);
            if (nt == N_NAT_DETECTION_SOURCE_IP) {
                m.natDetectionSource = str(p, "hash");
            } else if (nt == N_NAT_DETECTION_DESTINATION_IP) {
                m.natDetectionDestination = str(p, "hash");
            }
        } else if (t == PayloadType.V2_VID) {
            vendor(p, m);
        } else if (t == PayloadType.V2_AUTH) {
            m.authMethod = (int) num(p, "method", -1);
            m.authMethodName = str(p, "methodName");
        } else if (t == PayloadType.V2_D) {
            m.deletes.add(name(p, "protocolId") + (p.containsKey("spis") ? " SPIs " + p.get("spis") : ""));
        } else if (t == PayloadType.V2_TSI || t == PayloadType.V2_TSR) {
            for (Map<String, Object> sel : maps(p, "selectors")) {
                String range = str(sel, "start") + "-" + str(sel, "end");
                long proto = num(sel, "ipProtocol", 0);
                long sp = num(sel, "startPort", 0);
                long ep = num(sel, "endPort", 65535);
                m.trafficSelectors.add((t == PayloadType.V2_TSI ? "TSi " : "TSr ") + range + (proto != 0 ? " proto " + proto : "")
                        + (sp != 0 || ep != 65535 ? " ports " + sp + "-" + ep : ""));
            }
        } else if (t == PayloadType.V2_IDI || t == PayloadType.V2_IDR) {
            identity(p, m);
        } else if (t == PayloadType.V2_SKF || t == PayloadType.V2_SK) {
            if (t == PayloadType.V2_SKF) {
                m.fragmentNumber = (int) num(p, "fragmentNumber", 0);
                m.fragmentTotal = (int) num(p, "totalFragments", 0);
            }
            m.ciphertextExact = p.containsKey("ciphertextLength");
            m.ciphertextLength = num(p, m.ciphertextExact ? "ciphertextLength" : "encryptedLength", -1);
        }
    }

    private static void v1(Map<String, Object> p, long t, IkeMessage m) {
        if (t == PayloadType.V1_SA) {
            for (Map<String, Object> prop : maps(p, "proposals")) {
                boolean phase1 = num(prop, "protocolId", -1) == 1;
                List<String> parts = new ArrayList<>();
                for (Map<String, Object> tr : maps(prop, "transforms")) {
                    parts.add(transformV1(tr, phase1, m));
                }
                m.proposals.add("#" + num(prop, "number", 0) + " " + name(prop, "protocolId") + ": " + String.join(" | ", parts));
            }
        } else if (t == PayloadType.V1_N) {
            notify(p, m);
        } else if (t == PayloadType.V1_ATTR) {
            for (Map<String, Object> a : maps(p, "attributes")) {
                if (num(a, "type", -1) == XAUTH_STATUS && a.get("value") instanceof Long v) {
                    m.xauthStatus = v;
                }
            }
        } else if (t == PayloadType.V1_D) {
            m.deletes.add(name(p, "protocolId") + (p.containsKey("spis") ? " SPIs " + p.get("spis") : ""));
        } else if (t == PayloadType.V1_VID) {
            vendor(p, m);
        } else if (t == PayloadType.V1_NAT_D || t == PayloadType.V1_NAT_D_DRAFT) {
            String h = str(p, "hash");
            if (h != null) {
                m.natD.add(h);
            }
        } else if (t == PayloadType.V1_ID) {
            identity(p, m);
        }
    }

    /** One IKEv1 transform in words: "AES-CBC-128, SHA, 2048-bit MODP group, pre-shared key, 28800 seconds". */
    private static String transformV1(Map<String, Object> tr, boolean phase1, IkeMessage m) {
        List<String> words = new ArrayList<>();
        String tid = str(tr, "transformIdName");
        if (!phase1) {
            words.add(tid != null ? tid : "transform " + num(tr, "transformId", -1));
        }
        String lifeUnit = "";
        for (Map<String, Object> a : maps(tr, "attributes")) {
            long at = num(a, "type", -1);
            String vn = str(a, "valueName");
            Object v = a.get("value");
            String value = vn != null ? vn : String.valueOf(v);
            if (at == (phase1 ? P1_KEY_LENGTH : P2_KEY_LENGTH) && !words.isEmpty()) {
                words.set(words.size() - 1, words.get(words.size() - 1) + "-" + value);
            } else if (at == (phase1 ? P1_LIFE_TYPE : P2_LIFE_TYPE)) {
                lifeUnit = value;
            } else if (at == (phase1 ? P1_LIFE_DURATION : P2_LIFE_DURATION)) {
                words.add("life " + value + (lifeUnit.isEmpty() ? "" : " " + lifeUnit));
            } else {
                if (phase1 && at == P1_HASH && m.hashAlgorithm < 0 && v instanceof Long l) {
                    m.hashAlgorithm = (int) (long) l;
                }
                if (phase1 && at == P1_AUTH_METHOD && m.authMethod < 0 && v instanceof Long l) {
                    m.authMethod = (int) (long) l;
                    m.authMethodName = vn;
                }
                if (!phase1 && at == P2_ENCAPSULATION && v instanceof Long l) {
                    m.encapsulationModes.add(l);
                }
                words.add(value);
            }
        }
        return String.join(", ", words);
    }

    private static String name(Map<String, Object> m, String key) {
        String n = str(m, key + "Name");
        return n != null ? n : String.valueOf(num(m, key, -1));
    }

    private static void notify(Map<String, Object> p, IkeMessage m) {
        long nt = num(p, "notifyType", -1);
        String name = str(p, "notifyTypeName");
        String detail = null;
        if (p.containsKey("group")) {
            detail = "group " + num(p, "group", -1) + (str(p, "groupName") != null ? " (" + str(p, "groupName") + ")" : "");
        } else if (p.containsKey("sequence")) {
            detail = "sequence " + num(p, "sequence", -1);
        } else if (p.containsKey("gateway")) {
            detail = "gateway " + str(p, "gateway");
        }
        m.notifies.add(new IkeMessage.Notify((int) nt, name != null ? name : "notify " + nt, detail));
    }

    private static void vendor(Map<String, Object> p, IkeMessage m) {
        String v = str(p, "vendor");
        m.vendors.add(v != null ? v : "unknown " + str(p, "vendorId"));
    }

    private static void identity(Map<String, Object> p, IkeMessage m) {
        String v = str(p, "value");
        String t = str(p, "idTypeName");
        if (v != null) {
            m.identities.add((t != null ? t + " " : "") + v);
        }
    }
}
