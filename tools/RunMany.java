import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs many vpnsleuth command lines in one JVM (tools/compare-outputs.sh): each line of the job
 * file is an output file and the command's arguments, separated by tabs. Standard output and
 * standard error of each run go to the output file, followed by "exit N".
 *
 *   java -cp target/vpnsleuth-0.1.0-SNAPSHOT-all.jar tools/RunMany.java JOBS
 */
public final class RunMany {
    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        var run = Class.forName("org.vpnsleuth.cli.Main").getMethod("run", String[].class);
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            String[] cmd = java.util.Arrays.copyOfRange(f, 1, f.length);
            try (PrintStream p = new PrintStream(new BufferedOutputStream(new FileOutputStream(f[0])), false,
                    StandardCharsets.UTF_8)) {
                System.setOut(p);
                System.setErr(p);
                int code;
                try {
                    code = (Integer) run.invoke(null, (Object) cmd);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    e.getCause().printStackTrace(p);
                    code = -1;
                }
                p.flush();
                p.println("exit " + code);
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
        }
    }
}
