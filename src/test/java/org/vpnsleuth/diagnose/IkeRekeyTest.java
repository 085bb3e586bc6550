package org.vpnsleuth.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.ike.IkeDecryption;
import org.vpnsleuth.keys.KeyFiles;
import org.vpnsleuth.keys.KeyMaterial;
import org.vpnsleuth.pipeline.Analysis;

/**
 * ikev2-rekey-pfs: strongSwan rekeys the IKE SA (`swanctl --rekey --ike`; its log: "IKE_SA vpn[2]
 * rekeyed between ..."). tshark shows the old SA e93ab4dd5315474c/93c243b9d47cc51b and the new one
 * e1f7a3508643565b/1fed7d86233edaa4 (captures/README.md: CREATE_CHILD_SA MID 5 in frames 25-26,
 * the old SA's DELETE in 27-28). One tunnel rekeyed: neither a peer's delete nor a capture that
 * starts late; decrypted from the SPIs of the proposals, encrypted by inference.
 */
class IkeRekeyTest {
    static Analysis analyze(boolean withKeys) throws Exception {
        KeyMaterial k = new KeyMaterial();
        KeyFiles.load(AnalyzeVerdictTest.captures().resolve("ikev2-rekey-pfs.initiator.log"), k);
        List<String> names = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<CaptureReader> readers = Analysis.open(List.of(AnalyzeVerdictTest.captures().resolve("ikev2-rekey-pfs.pcapng").toString()),
                names, errors);
        assertThat(errors).isEmpty();
        try {
            return withKeys ? Analysis.run(names, readers, List.of(), d -> IkeDecryption.install(k, d))
                    : Analysis.run(names, readers, List.of());
        } finally {
            Analysis.close(readers);
        }
    }

    @Test
    void theRekeyedSaContinuesTheTunnel() throws Exception {
        for (boolean keys : new boolean[] {true, false}) {
            Analysis a = analyze(keys);
            assertThat(a.ikeSas).hasSize(2);
            SaDiagnosis old = a.ikeSas.get(0);
            SaDiagnosis fresh = a.ikeSas.get(1);
            assertThat(String.format("%016x/%016x", old.sa.spiI, old.sa.spiR)).isEqualTo("e93ab4dd5315474c/93c243b9d47cc51b");
            assertThat(String.format("%016x/%016x", fresh.sa.spiI, fresh.sa.spiR)).isEqualTo("e1f7a3508643565b/1fed7d86233edaa4");
            assertThat(String.format("%016x/%016x", old.rekeyedTo.spiI(), old.rekeyedTo.spiR())).as("keys " + keys)
                    .isEqualTo("e1f7a3508643565b/1fed7d86233edaa4");
            assertThat(String.format("%016x/%016x", fresh.rekeyedFrom.spiI(), fresh.rekeyedFrom.spiR()))
                    .isEqualTo("e93ab4dd5315474c/93c243b9d47cc51b");
            assertThat(old.verdict).isEqualTo(Verdict.ESTABLISHED);
            assertThat(old.findings).extracting(Finding::cause).doesNotContain(Cause.DELETED_BY_PEER);
            assertThat(old.children).extracting(c -> c.name).doesNotContain("CREATE_CHILD_SA mid 5");
            assertThat(String.join("\n", old.notes)).contains("rekeyed: CREATE_CHILD_SA mid 5 (frames 25/26)");
            assertThat(fresh.verdict).isEqualTo(Verdict.ESTABLISHED);
            assertThat(fresh.findings).extracting(Finding::cause).doesNotContain(Cause.CAPTURE_INCOMPLETE);
            assertThat(fresh.rfcState).isEqualTo("ESTABLISHED (rekeyed from e93ab4dd5315474c/93c243b9d47cc51b)");
            // the end of the capture is the script's terminate: DELETEs of net2, net and the IKE SA (frames 47-52)
            assertThat(fresh.main).isNotNull();
            assertThat(fresh.main.cause()).isEqualTo(Cause.DELETED_BY_PEER);
        }
    }
}
