// The Curator test agent: a JVM running real Apache Curator 5.4 (Debian's jars) that a
// TypeScript test drives line by line (test/support/curator-agent.ts is the other end).
//
//   java CuratorAgent <connectString> <sessionTimeoutMs> <connectionTimeoutMs> <retry>
//   retry: exponential:<baseSleepMs>:<maxRetries> | ntimes:<n>:<sleepMs> | forever:<sleepMs>
//
// stdin:  "<tag> <verb> <args...>" per line. stdout: one JSON object per line, either an answer
// {"tag":n,"ok":true,...} / {"tag":n,"ok":false,"error":"..."} or an event {"event":"...",...}:
// "ready" (connected; sessionId), "state" (Curator's ConnectionState), "leader" (a latch's
// LeaderLatchListener), "selector" (a LeaderSelector's turn taken / released / interrupted).
// Recipe verbs take a handle id first; all commands for one id run in order on that id's own
// thread (Curator locks are owned by threads), different ids and the global verbs run
// concurrently, so a blocked acquire never stalls the agent. stdin EOF (the test process went
// away) ends the agent.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryForever;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.ZooKeeper;

public final class CuratorAgent {
    private interface Command {
        Map<String, Object> run(CommandArgs args) throws Exception;
    }

    /** perId: the first argument is a handle id and the command runs on that id's thread. */
    private record Verb(boolean perId, Command command) {}

    private final CuratorFramework client;
    private final AgentOutput out;
    private final AgentRecipes recipes;
    private final AgentCoordination coordination;
    private final AgentLeadership leadership;
    private final Map<String, Verb> verbs;
    private final Map<String, ExecutorService> idThreads = new ConcurrentHashMap<>();
    private final ExecutorService globalThreads = Executors.newCachedThreadPool(CuratorAgent::daemon);

    private CuratorAgent(CuratorFramework client, AgentOutput out) {
        this.client = client;
        this.out = out;
        this.recipes = new AgentRecipes(client, out);
        this.coordination = new AgentCoordination(client, out);
        this.leadership = new AgentLeadership(client, out);
        this.verbs = Map.ofEntries(
                Map.entry("ping", new Verb(false, a -> {
                    a.atMost(0);
                    return Map.of();
                })),
                Map.entry("session", new Verb(false, a -> {
                    a.atMost(0);
                    return session();
                })),
                Map.entry("nodes", new Verb(false, a -> NodeListing.list(client, a.atMost(1).word(0, "path")))),
                Map.entry("mutex.acquire", new Verb(true, a -> recipes.mutexAcquire(
                        a.atMost(3).word(0, "id"), a.word(1, "path"), a.optionalNumber(2, "timeoutMs")))),
                Map.entry("mutex.release", new Verb(true, a -> recipes.mutexRelease(a.atMost(1).word(0, "id")))),
                Map.entry("rw.read.acquire", new Verb(true, a -> recipes.rwAcquire(
                        a.atMost(3).word(0, "id"), a.word(1, "path"), false, a.optionalNumber(2, "timeoutMs")))),
                Map.entry("rw.write.acquire", new Verb(true, a -> recipes.rwAcquire(
                        a.atMost(3).word(0, "id"), a.word(1, "path"), true, a.optionalNumber(2, "timeoutMs")))),
                Map.entry("rw.read.release", new Verb(true, a -> recipes.rwRelease(a.atMost(1).word(0, "id"), false))),
                Map.entry("rw.write.release", new Verb(true, a -> recipes.rwRelease(a.atMost(1).word(0, "id"), true))),
                Map.entry("latch.start", new Verb(true, a -> recipes.latchStart(
                        a.atMost(3).word(0, "id"), a.word(1, "path"), a.word(2, "participantId")))),
                Map.entry("latch.hasLeadership", new Verb(true, a -> recipes.latchHasLeadership(a.atMost(1).word(0, "id")))),
                Map.entry("latch.await", new Verb(true, a -> recipes.latchAwait(
                        a.atMost(2).word(0, "id"), a.number(1, "timeoutMs")))),
                Map.entry("latch.participants", new Verb(true, a -> recipes.latchParticipants(a.atMost(1).word(0, "id")))),
                Map.entry("latch.close", new Verb(true, a -> recipes.latchClose(a.atMost(1).word(0, "id")))),
                Map.entry("semaphore.acquire", new Verb(true, a -> recipes.semaphoreAcquire(
                        a.atMost(4).word(0, "id"), a.word(1, "path"), Math.toIntExact(a.number(2, "maxLeases")),
                        a.optionalNumber(3, "timeoutMs")))),
                Map.entry("semaphore.release", new Verb(true, a -> recipes.semaphoreRelease(a.atMost(1).word(0, "id")))),
                // barriers, counters, queues (AgentCoordination)
                Map.entry("barrier.set", new Verb(false, a -> coordination.barrierSet(a.atMost(1).word(0, "path")))),
                Map.entry("barrier.remove", new Verb(false, a -> coordination.barrierRemove(a.atMost(1).word(0, "path")))),
                Map.entry("barrier.wait", new Verb(false, a -> coordination.barrierWait(
                        a.atMost(2).word(0, "path"), a.number(1, "timeoutMs")))),
                Map.entry("dbarrier.enter", new Verb(true, a -> coordination.doubleEnter(a.atMost(4).word(0, "id"), a.word(1, "path"),
                        Math.toIntExact(a.number(2, "memberQty")), a.number(3, "timeoutMs")))),
                Map.entry("dbarrier.leave", new Verb(true, a -> coordination.doubleLeave(a.atMost(2).word(0, "id"), a.number(1, "timeoutMs")))),
                Map.entry("count.start", new Verb(true, a -> coordination.countStart(a.atMost(3).word(0, "id"), a.word(1, "path"),
                        Math.toIntExact(a.number(2, "seed"))))),
                Map.entry("count.get", new Verb(true, a -> coordination.countGet(a.atMost(1).word(0, "id")))),
                Map.entry("count.increment", new Verb(true, a -> coordination.countIncrement(a.atMost(2).word(0, "id"),
                        Math.toIntExact(a.number(1, "times"))))),
                Map.entry("count.set", new Verb(true, a -> coordination.countSet(a.atMost(2).word(0, "id"),
                        Math.toIntExact(a.number(1, "value"))))),
                Map.entry("count.close", new Verb(true, a -> coordination.countClose(a.atMost(1).word(0, "id")))),
                Map.entry("atomic.increment", new Verb(false, a -> coordination.atomicIncrement(a.atMost(2).word(0, "path"),
                        Math.toIntExact(a.number(1, "times"))))),
                Map.entry("atomic.get", new Verb(false, a -> coordination.atomicGet(a.atMost(1).word(0, "path")))),
                Map.entry("queue.start", new Verb(true, a -> coordination.queueStart(a.atMost(5).word(0, "id"), a.word(1, "kind"),
                        a.word(2, "path"), a.word(3, "lockPath"), Boolean.parseBoolean(a.word(4, "consume"))))),
                Map.entry("queue.put", new Verb(true, a -> coordination.queuePut(a.atMost(3).word(0, "id"), a.word(1, "item"),
                        a.optionalWord(2)))),
                Map.entry("queue.remove", new Verb(true, a -> coordination.queueRemove(a.atMost(2).word(0, "id"), a.word(1, "itemId")))),
                Map.entry("queue.close", new Verb(true, a -> coordination.queueClose(a.atMost(1).word(0, "id")))),
                // LeaderSelector (AgentLeadership)
                Map.entry("selector.start", new Verb(true, a -> leadership.selectorStart(
                        a.atMost(3).word(0, "id"), a.word(1, "path"), a.word(2, "participantId")))),
                Map.entry("selector.yield", new Verb(true, a -> leadership.selectorYield(a.atMost(1).word(0, "id")))),
                Map.entry("selector.hasLeadership", new Verb(true, a -> leadership.selectorHasLeadership(a.atMost(1).word(0, "id")))),
                Map.entry("selector.participants", new Verb(true, a -> leadership.selectorParticipants(a.atMost(1).word(0, "id")))),
                Map.entry("selector.close", new Verb(true, a -> leadership.selectorClose(a.atMost(1).word(0, "id")))));
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length != 4) {
            System.err.println("usage: CuratorAgent <connectString> <sessionTimeoutMs> <connectionTimeoutMs> <retry>");
            System.exit(2);
        }
        AgentOutput out = new AgentOutput();
        int connectionTimeoutMs = Integer.parseInt(argv[2]);
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(argv[0])
                .sessionTimeoutMs(Integer.parseInt(argv[1]))
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(retryPolicy(argv[3]))
                .build();
        client.getConnectionStateListenable().addListener((c, state) -> out.event("state", Map.of("state", state.name())));
        client.start();
        if (!client.blockUntilConnected(connectionTimeoutMs, TimeUnit.MILLISECONDS)) {
            out.event("failed", Map.of("error", "not connected to " + argv[0] + " within " + connectionTimeoutMs + " ms"));
            System.exit(1);
        }
        CuratorAgent agent = new CuratorAgent(client, out);
        out.event("ready", agent.session());
        agent.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    }

    static RetryPolicy retryPolicy(String spec) {
        String[] p = spec.split(":");
        switch (p[0]) {
            case "exponential":
                if (p.length == 3) return new ExponentialBackoffRetry(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
                break;
            case "ntimes":
                if (p.length == 3) return new RetryNTimes(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
                break;
            case "forever":
                if (p.length == 2) return new RetryForever(Integer.parseInt(p[1]));
                break;
            default:
                break;
        }
        throw new IllegalArgumentException("bad retry policy: " + spec);
    }

    private void serve(BufferedReader in) throws Exception {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (!line.isBlank()) dispatch(line.trim().split("\\s+"));
        }
        // The test process is gone: leave at once; our session's ephemerals die with it.
        System.exit(0);
    }

    private void dispatch(String[] words) {
        Long tag;
        try {
            tag = Long.parseLong(words[0]);
        } catch (NumberFormatException e) {
            out.error(null, new IllegalArgumentException("a command line starts with a numeric tag: " + String.join(" ", words)));
            return;
        }
        if (words.length < 2) {
            out.error(tag, new IllegalArgumentException("missing verb"));
            return;
        }
        if (words[1].equals("close")) {
            if (words.length == 2) closeAndExit(tag);
            out.error(tag, new IllegalArgumentException("close: takes no arguments"));
            return;
        }
        Verb verb = verbs.get(words[1]);
        if (verb == null) {
            out.error(tag, new IllegalArgumentException("unknown command: " + words[1]));
            return;
        }
        CommandArgs args = new CommandArgs(words[1], Arrays.copyOfRange(words, 2, words.length));
        ExecutorService thread = globalThreads;
        if (verb.perId()) {
            if (words.length < 3) {
                out.error(tag, new IllegalArgumentException(words[1] + ": missing <id>"));
                return;
            }
            thread = idThreads.computeIfAbsent(words[2], id -> Executors.newSingleThreadExecutor(CuratorAgent::daemon));
        }
        thread.execute(() -> {
            try {
                out.ok(tag, verb.command().run(args));
            } catch (Throwable t) {
                out.error(tag, t);
            }
        });
    }

    private Map<String, Object> session() throws Exception {
        ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("sessionId", Long.toHexString(zk.getSessionId()));
        result.put("sessionPassword", Base64.getEncoder().encodeToString(zk.getSessionPasswd()));
        result.put("localAddress", new String(CuratorFrameworkFactory.getLocalAddress(), StandardCharsets.UTF_8));
        return result;
    }

    /** `close`: closes the Curator client (its session and ephemerals go with it), answers, exits. */
    private void closeAndExit(long tag) {
        try {
            client.close();
            out.ok(tag, Map.of());
        } catch (Throwable t) {
            out.error(tag, t);
        }
        System.exit(0);
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    }
}
