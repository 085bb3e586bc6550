package org.vpnsleuth.track;

import java.util.ArrayList;
import java.util.List;
import org.vpnsleuth.base.NameTable;
import org.vpnsleuth.ike.IkeDissector;
import org.vpnsleuth.ike.IkeRegistries;
import org.vpnsleuth.ike.Ikev1Payload;
import org.vpnsleuth.ike.Ikev1Payloads;
import org.vpnsleuth.ike.PayloadType;

/**
 * Reads the facts the trackers and the diagnosis need out of an IKE message's payloads, parsed
 * once into records (ike/Ikev1Payload, ike/Ikev2Payload) by the dissector, so that nothing is
 * parsed twice.
 */
final class IkeFacts {
    private IkeFacts() {
    }

    // payload types (RFC 2408 §3.1, RFC 7296 §3.2)
    /** draft-beaulieu-ike-xauth: XAUTH-STATUS, 1 OK / 0 FAIL. */
    private static final long XAUTH_STATUS = 16527;
    private static final int N_NAT_DETECTION_SOURCE_IP = 16388;
    private static final int N_NAT_DETECTION_DESTINATION_IP = 16389;
    /** RFC 7296 §3.10.1 REKEY_SA; RFC 5685 REDIRECT and REDIRECTED_FROM. */
    private static final int N_REKEY_SA = 16393;
    private static final int N_REDIRECT = 16407;
    private static final int N_REDIRECTED_FROM = 16408;
    /** IKEv2 transform type 4, Diffie-Hellman group (RFC 7296 §3.3.2). */
    private static final int V2_TRANSFORM_DH = 4;
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
    static void read(org.vpnsleuth.ike.IkeDissector.V2Message msg, IkeMessage m, Interner in) {
        for (org.vpnsleuth.ike.IkeDissector.V2Entry e : msg.payloads()) {
            m.payloadTypes = IkeMessage.plus(m.payloadTypes, e.type());
            if (e.body() != null) {
                v2(e.type(), e.body(), m, in);
            }
        }
    }

    private static String hex(byte[] b) {
        return b == null ? null : org.vpnsleuth.base.Bytes.hex(b, 0, b.length);
    }

    /** A registered name, or the number as text (-1 when not reached), as the reports write it. */
    private static String nameOr(org.vpnsleuth.base.NameTable t, Integer v) {
        String n = v == null || t == null ? null : t.name(v);
        return n != null ? n : String.valueOf(v == null ? -1 : v);
    }

    private static void v2(int t, org.vpnsleuth.ike.Ikev2Payload body, IkeMessage m, Interner in) {
        if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Sa sa) {
            m.v2Proposals = IkeMessage.plusAll(m.v2Proposals, sa.proposals());
            for (org.vpnsleuth.ike.Ikev2Payload.Proposal prop : sa.proposals()) {
                List<String> parts = new ArrayList<>();
                List<String> noGroup = new ArrayList<>();
                int group = 0;
                if (prop.transforms() != null) {
                    for (org.vpnsleuth.ike.Ikev2Payload.Transform tr : prop.transforms()) {
                        org.vpnsleuth.base.NameTable ids = tr.type() == null ? null
                                : org.vpnsleuth.ike.Ikev2Payloads.transformIds(tr.type());
                        String n = ids == null || tr.id() < 0 ? null : ids.name(tr.id());
                        if (ids == org.vpnsleuth.ike.IkeRegistries.IKEV2_KE && n != null && tr.id() > 0) {
                            n = org.vpnsleuth.ike.IkeRegistries.dhGroup(tr.id(), n); // "MODP-2048 (14)"
                        }
                        String s = n != null ? n : (tr.type() == null ? null
                                : org.vpnsleuth.ike.IkeRegistries.IKEV2_TRANSFORM_TYPES.name(tr.type())) + " "
                                + (tr.id() == null ? -1 : tr.id());
                        int kl = tr.keyLength();
                        parts.add(kl > 0 ? s + "-" + kl : s);
                        if (tr.type() != null && tr.type() == V2_TRANSFORM_DH && tr.id() != null) {
                            group = group == 0 ? tr.id() : group;
                        } else {
                            noGroup.add(kl > 0 ? s + "-" + kl : s);
                        }
                    }
                }
                String head = "#" + (prop.number() == null ? 0 : prop.number()) + " "
                        + nameOr(org.vpnsleuth.ike.IkeRegistries.IKEV2_PROTOCOL_IDS, prop.protocolId()) + ": ";
                m.proposals = IkeMessage.plus(m.proposals, in.of(head + String.join(", ", parts)));
                m.proposalsWithoutGroup = IkeMessage.plus(m.proposalsWithoutGroup, in.of(head + String.join(", ", noGroup)));
                m.proposalGroups = IkeMessage.plus(m.proposalGroups, group);
                String spi = hex(prop.spi());
                if (prop.protocolId() != null && (prop.protocolId() == 2 || prop.protocolId() == 3) && spi != null
                        && !m.childSpis.contains(spi)) {
                    m.childSpis = IkeMessage.plus(m.childSpis, spi);
                }
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
            m.notifies = IkeMessage.plus(m.notifies, in.of(new IkeMessage.Notify(nt, name != null ? name : "notify " + nt, detail)));
            if (nt == N_REKEY_SA && n.spi() != null) {
                m.rekeySpi = hex(n.spi());
            } else if (nt > 0 && nt < 16384 && n.spi() != null && n.spi().length > 0 && m.notifySpi == null) {
                m.notifySpi = hex(n.spi());
            }
            if (n.gateway() != null && (n.gateway().text() != null || n.gateway().bytes() != null)) {
                String gw = n.gateway().text() != null ? n.gateway().text() : hex(n.gateway().bytes());
                if (nt == N_REDIRECT) {
                    m.redirectGateway = gw;
                } else if (nt == N_REDIRECTED_FROM) {
                    m.redirectedFrom = gw;
                }
            }
            if (nt == N_NAT_DETECTION_SOURCE_IP) {
                m.natDetectionSource = hex(n.hash());
            } else if (nt == N_NAT_DETECTION_DESTINATION_IP) {
                m.natDetectionDestination = hex(n.hash());
            }
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.VendorId v) {
            m.vendors = IkeMessage.plus(m.vendors, in.of(v.vendor() != null ? v.vendor() : "unknown " + hex(v.id())));
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
            m.deletes = IkeMessage.plus(m.deletes, nameOr(org.vpnsleuth.ike.IkeRegistries.IKEV2_PROTOCOL_IDS, d.protocolId())
                    + (spis != null ? " SPIs " + spis : ""));
            m.deleteRecords = IkeMessage.plus(m.deleteRecords, new IkeMessage.Delete(d.protocolId() == null ? -1 : d.protocolId(),
                    spis == null ? List.of() : List.copyOf(spis)));
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Ts ts) {
            if (ts.selectors() != null) {
                for (org.vpnsleuth.ike.Ikev2Payload.Selector sel : ts.selectors()) {
                    String range = sel.start() + "-" + sel.end();
                    long proto = sel.ipProtocol() == null ? 0 : sel.ipProtocol();
                    long sp = sel.startPort() == null ? 0 : sel.startPort();
                    long ep = sel.endPort() == null ? 65535 : sel.endPort();
                    m.trafficSelectors = IkeMessage.plus(m.trafficSelectors, in.of((t == PayloadType.V2_TSI ? "TSi " : "TSr ") + range + (proto != 0 ? " proto " + proto : "")
                            + (sp != 0 || ep != 65535 ? " ports " + sp + "-" + ep : "")));
                }
            }
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Id id) {
            String value = id.value() == null ? null : id.value().shown();
            String tn = id.idType() == null ? null : org.vpnsleuth.ike.IkeRegistries.IKEV2_ID_TYPES.name(id.idType());
            if (value != null) {
                m.identities = IkeMessage.plus(m.identities, in.of((tn != null ? tn + " " : "") + value));
                if (t == PayloadType.V2_IDI) {
                    m.idI = value;
                    m.idIType = tn;
                } else {
                    m.idR = value;
                    m.idRType = tn;
                }
            }
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Eap eap) {
            m.eap = IkeMessage.plus(m.eap, eap.packet());
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Cert c) {
            certificate(c.request(), c.data(), m);
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Skf f) {
            m.fragmentNumber = f.fragmentNumber() == null ? 0 : f.fragmentNumber();
            m.fragmentTotal = f.totalFragments() == null ? 0 : f.totalFragments();
            sealed(f.sealed(), f.encryptedLength(), m);
        } else if (body instanceof org.vpnsleuth.ike.Ikev2Payload.Sk k) {
            sealed(k.sealed(), k.encryptedLength(), m);
        }
    }

    /** A CERT or CERTREQ/CR payload's data (ike/PayloadFields): the certificate, or the CAs asked for. */
    private static void certificate(boolean request, org.vpnsleuth.ike.CertificateData d, IkeMessage m) {
        if (!request) {
            if (d != null) {
                m.certs = IkeMessage.plus(m.certs, d);
            }
            return;
        }
        m.certRequested = true;
        if (d != null && d.authorityKeyHashes() != null) {
            for (byte[] h : d.authorityKeyHashes()) {
                m.certRequests = IkeMessage.plus(m.certRequests, hex(h));
            }
        } else if (d != null && d.authority() != null) {
            m.certRequests = IkeMessage.plus(m.certRequests, d.authority());
        }
    }

    private static void sealed(org.vpnsleuth.ike.Ikev2Payload.Sealed s, Integer encryptedLength, IkeMessage m) {
        m.ciphertextExact = s != null && s.ciphertextLength() != null;
        m.ciphertextLength = m.ciphertextExact ? s.ciphertextLength() : encryptedLength == null ? -1 : encryptedLength;
    }

    /** The facts of an IKEv1 message from its payloads parsed once into records (ike/Ikev1Payload). */
    static void read(IkeDissector.V1Message msg, IkeMessage m, Interner in) {
        for (IkeDissector.V1Entry e : msg.payloads()) {
            m.payloadTypes = IkeMessage.plus(m.payloadTypes, e.type());
            if (e.body() != null) {
                v1(e.type(), e.body(), m, in);
            }
        }
    }

    private static void v1(int t, Ikev1Payload body, IkeMessage m, Interner in) {
        if (t == PayloadType.V1_SA && body instanceof Ikev1Payload.Sa sa) {
            if (sa.proposals() == null) {
                return;
            }
            m.v1Proposals = IkeMessage.plusAll(m.v1Proposals, sa.proposals());
            for (Ikev1Payload.Proposal prop : sa.proposals()) {
                boolean phase1 = prop.protocolId() != null && prop.protocolId() == 1;
                List<String> parts = new ArrayList<>();
                if (prop.transforms() != null) {
                    for (Ikev1Payload.Transform tr : prop.transforms()) {
                        parts.add(transformV1(tr, prop.protocolId(), phase1, m));
                    }
                }
                m.proposals = IkeMessage.plus(m.proposals, in.of("#" + (prop.number() == null ? 0 : prop.number()) + " "
                        + nameOr(IkeRegistries.ISAKMP_PROTOCOL_IDS, prop.protocolId()) + ": " + String.join(" | ", parts)));
                String spi = hex(prop.spi());
                if (!phase1 && spi != null && spi.length() == 8 && !m.childSpis.contains(spi)) {
                    m.childSpis = IkeMessage.plus(m.childSpis, spi);
                }
            }
        } else if (t == PayloadType.V1_N && body instanceof Ikev1Payload.Notify n) {
            int nt = n.type() == null ? -1 : n.type();
            String name = n.type() == null ? null : IkeRegistries.ISAKMP_NOTIFY_TYPES.name(n.type());
            String detail = n.sequence() != null ? "sequence " + n.sequence() : null;
            m.notifies = IkeMessage.plus(m.notifies, in.of(new IkeMessage.Notify(nt, name != null ? name : "notify " + nt, detail)));
            if (nt > 0 && nt < 8192 && n.spi() != null && n.spi().length > 0 && n.spi().length <= 8 && m.notifySpi == null) {
                m.notifySpi = hex(n.spi());
            }
        } else if (t == PayloadType.V1_ATTR && body instanceof Ikev1Payload.Attr a) {
            if (a.attributes() != null) {
                for (Ikev1Payload.CfgAttribute x : a.attributes()) {
                    if (x.type() != null && x.type() == XAUTH_STATUS && x.number() != null) {
                        m.xauthStatus = x.number();
                    }
                }
            }
        } else if (t == PayloadType.V1_D && body instanceof Ikev1Payload.Delete d) {
            List<String> spis = null;
            if (d.spis() != null) {
                spis = new ArrayList<>();
                for (byte[] x : d.spis()) {
                    spis.add(hex(x));
                }
            }
            m.deletes = IkeMessage.plus(m.deletes, nameOr(IkeRegistries.ISAKMP_PROTOCOL_IDS, d.protocolId()) + (spis != null ? " SPIs " + spis : ""));
            m.deleteRecords = IkeMessage.plus(m.deleteRecords, new IkeMessage.Delete(d.protocolId() == null ? -1 : d.protocolId(),
                    spis == null ? List.of() : List.copyOf(spis)));
        } else if (t == PayloadType.V1_VID && body instanceof Ikev1Payload.VendorId v) {
            m.vendors = IkeMessage.plus(m.vendors, in.of(v.vendor() != null ? v.vendor() : "unknown " + hex(v.id())));
        } else if (body instanceof Ikev1Payload.NatD d) {
            m.natD = IkeMessage.plus(m.natD, hex(d.hash()));
        } else if (t == PayloadType.V1_ID && body instanceof Ikev1Payload.Id id) {
            String value = id.value() == null ? null : id.value().shown();
            String tn = id.idType() == null ? null : IkeRegistries.IPSEC_ID_TYPES.name(id.idType());
            if (value != null) {
                m.identities = IkeMessage.plus(m.identities, in.of((tn != null ? tn + " " : "") + value));
            }
        } else if (body instanceof Ikev1Payload.Cert c) {
            certificate(c.request(), c.data(), m);
        }
    }

    /**
     * One IKEv1 transform of a proposal for {@code protocol} in words: "AES-CBC-128, SHA,
     * 2048-bit MODP group, pre-shared key, 28800 seconds". A value without a registered name is
     * its number (or hex; "null" for an attribute that did not parse), as the reports always wrote it.
     */
    private static String transformV1(Ikev1Payload.Transform tr, Integer protocol, boolean phase1, IkeMessage m) {
        List<String> words = new ArrayList<>();
        if (!phase1) {
            String tid = tr.transformId() == null || protocol == null ? null
                    : name(Ikev1Payloads.transformIds(protocol), tr.transformId());
            words.add(tid != null ? tid : "transform " + (tr.transformId() == null ? -1 : tr.transformId()));
        }
        if (tr.attributes() == null) {
            return String.join(", ", words);
        }
        String lifeUnit = "";
        for (Ikev1Payload.Attribute a : tr.attributes()) {
            long at = a.type() == null ? -1 : a.type();
            String vn = a.type() == null || a.value() == null ? null
                    : name(Ikev1Payloads.valueTable(phase1, a.type()), a.value());
            Object v = a.value() != null ? a.value() : a.bytes() != null ? hex(a.bytes()) : null;
            String value = vn != null ? vn : String.valueOf(v);
            if (vn != null && a.value() != null && Ikev1Payloads.valueTable(phase1, a.type()) == IkeRegistries.IKE_PHASE1_GROUP_DESCRIPTIONS) {
                value = IkeRegistries.dhGroup((int) (long) a.value(), vn); // "MODP-2048 (14)"
            }
            if (at == (phase1 ? P1_KEY_LENGTH : P2_KEY_LENGTH) && !words.isEmpty()) {
                words.set(words.size() - 1, words.get(words.size() - 1) + "-" + value);
            } else if (at == (phase1 ? P1_LIFE_TYPE : P2_LIFE_TYPE)) {
                lifeUnit = value;
            } else if (at == (phase1 ? P1_LIFE_DURATION : P2_LIFE_DURATION)) {
                words.add("life " + value + (lifeUnit.isEmpty() ? "" : " " + lifeUnit));
            } else {
                if (phase1 && at == P1_HASH && m.hashAlgorithm < 0 && a.value() != null) {
                    m.hashAlgorithm = (int) (long) a.value();
                }
                if (phase1 && at == P1_AUTH_METHOD && m.authMethod < 0 && a.value() != null) {
                    m.authMethod = (int) (long) a.value();
                    m.authMethodName = vn;
                }
                if (!phase1 && at == P2_ENCAPSULATION && a.value() != null) {
                    m.encapsulationModes = IkeMessage.plus(m.encapsulationModes, a.value());
                }
                words.add(value);
            }
        }
        return String.join(", ", words);
    }

    /** The registered name of {@code v} in {@code t}, or null (no table, unknown value, out of int range). */
    private static String name(NameTable t, long v) {
        return t == null || v < 0 || v > Integer.MAX_VALUE ? null : t.name((int) v);
    }
}
