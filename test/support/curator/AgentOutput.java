// The Curator test agent's only way out: one JSON object per stdout line, written whole under a
// lock so answers from different recipe threads never interleave. Answers carry the command's
// tag; events carry an "event" name. Everything else a library prints goes to stderr.
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

final class AgentOutput {
    private final ObjectMapper json = new ObjectMapper();
    private final PrintStream stdout;

    /** Takes over the real stdout and points System.out at stderr, so stray prints cannot corrupt the protocol. */
    AgentOutput() {
        stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
    }

    void ok(Long tag, Map<String, Object> result) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("tag", tag);
        line.put("ok", true);
        line.putAll(result);
        write(line);
    }

    void error(Long tag, Throwable error) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("tag", tag);
        line.put("ok", false);
        line.put("error", describe(error));
        write(line);
    }

    void event(String name, Map<String, Object> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", name);
        line.putAll(fields);
        write(line);
    }

    /** "ExceptionClass: message", with the cause when the message alone says little. */
    static String describe(Throwable error) {
        String text = error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
        Throwable cause = error.getCause();
        return cause == null || cause == error ? text : text + " (caused by " + describe(cause) + ")";
    }

    private synchronized void write(Map<String, Object> line) {
        String text;
        try {
            text = json.writeValueAsString(line);
        } catch (Exception e) {
            text = "{\"event\":\"agent-error\",\"error\":\"cannot encode a line: " + e.getClass().getSimpleName() + "\"}";
        }
        stdout.print(text);
        stdout.print('\n');
        stdout.flush();
    }
}
