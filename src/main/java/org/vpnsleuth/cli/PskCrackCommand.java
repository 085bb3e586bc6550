package org.vpnsleuth.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vpnsleuth.capture.CaptureException;
import org.vpnsleuth.capture.CaptureReader;
import org.vpnsleuth.capture.Captures;
import org.vpnsleuth.capture.Frame;
import org.vpnsleuth.decode.Decoder;
import org.vpnsleuth.decode.Layer;
import org.vpnsleuth.decode.Packet;
import org.vpnsleuth.decode.Proto;
import org.vpnsleuth.ike.AggressiveMode;
import org.vpnsleuth.ike.IkeDecodeState;
import org.vpnsleuth.ike.PskCrack;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `vpnsleuth psk-crack`: a wordlist attack on captured IKEv1 Aggressive Mode PSK exchanges. */
@Command(name = "psk-crack", mixinStandardHelpOptions = true,
        description = {"Try every word of a wordlist as the pre-shared key of each IKEv1 Aggressive Mode exchange in the capture.",
            "For auditing weak keys: Aggressive Mode sends HASH_R in clear, so its PSK can be guessed offline."})
public final class PskCrackCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "pcap or pcapng file with IKEv1 Aggressive Mode")
    String file;

    @Option(names = "--wordlist", required = true, paramLabel = "FILE", description = "one candidate key per line")
    Path wordlist;

    @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: the number of cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<AggressiveMode.Exchange> found = new ArrayList<>();
        try (CaptureReader r = Captures.open(file)) {
            Decoder d = new Decoder();
            AggressiveMode am = new AggressiveMode();
            Packet p = new Packet();
            Frame f = new Frame();
            while (r.next(f)) {
                d.decode(f, p);
                for (int i = 0; i < p.count(); i++) {
                    Layer l = p.layer(i);
                    if (l.proto == Proto.IKE && l.info instanceof IkeDecodeState.MessageInfo m && m.direction() != null) {
                        AggressiveMode.Exchange x = am.observe(l.buf, l.offset, l.end, m.direction().equals("I→R"),
                                m.negotiated(), f.number);
                        if (x != null && found.stream().noneMatch(y -> y.cookieI() == x.cookieI())) {
                            found.add(x);
                        }
                    }
                }
            }
        } catch (CaptureException e) {
            err.println("vpnsleuth: " + e.getMessage());
            return Main.UNREADABLE;
        } catch (IOException e) {
            err.println("vpnsleuth: " + file + ": " + e.getMessage());
            return Main.UNREADABLE;
        }
        if (found.isEmpty()) {
            err.println("vpnsleuth: " + file + ": no IKEv1 Aggressive Mode exchange with a cleartext HASH_R (AM1 and AM2)");
            return Main.UNREADABLE;
        }
        for (AggressiveMode.Exchange x : found) {
            try (BufferedReader words = Files.newBufferedReader(wordlist, StandardCharsets.UTF_8)) {
                PskCrack.Outcome o = PskCrack.run(x, words, threads);
                String sa = String.format("%016x/%016x (frames %d, %d)", x.cookieI(), x.cookieR(), x.am1Frame(), x.am2Frame());
                out.println(o.psk() != null ? sa + ": PSK found: " + o.psk() : sa + ": not in the wordlist");
                out.flush();
                err.println(String.format(Locale.ROOT, "%s: %,d words in %.2f s, %,.0f words/s on %d thread(s)", sa, o.tried(),
                        o.seconds(), o.rate(), threads));
            } catch (IOException e) {
                err.println("vpnsleuth: " + wordlist + ": " + e.getMessage());
                return Main.UNREADABLE;
            }
        }
        out.flush();
        return Main.OK;
    }
}
