// Raw Java-client scenarios for scripts/capture-golden.ts, for calls zkCli and kazoo cannot make
// (create2 with Stat, multiRead, checkWatches, SetWatches/SetWatches2 on reconnect, waiting for
// container/TTL reaping). Run with the
// JDK single-file launcher: java -cp <zookeeper classpath> GoldenJavaClient.java <scenario> <hosts>
// Prints "READY <tag>" and waits for a stdin line wherever the capture script must act.
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

public class GoldenJavaClient {
    private static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    private static final BlockingQueue<KeeperState> STATES = new LinkedBlockingQueue<>();
    private static final BlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();
    private static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    public static void main(String[] args) throws Exception {
        ZooKeeper zk = new ZooKeeper(args[1], 30000, GoldenJavaClient::onEvent);
        awaitState(KeeperState.SyncConnected);
        switch (args[0]) {
            case "reads":
                reads(zk);
                break;
            case "reconnect":
                reconnect(zk);
                break;
            case "reap":
                reap(zk);
                break;
            default:
                throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
        zk.close();
        System.out.println("DONE");
    }

    private static void onEvent(WatchedEvent event) {
        if (event.getType() == EventType.None) {
            STATES.add(event.getState());
        } else {
            String text = event.getType() + " " + event.getPath();
            System.out.println("EVENT " + text);
            EVENTS.add(text);
        }
    }

    private static void awaitState(KeeperState wanted) throws InterruptedException {
        while (true) {
            KeeperState state = STATES.poll(30, TimeUnit.SECONDS);
            if (state == null) {
                throw new IllegalStateException("timed out waiting for " + wanted);
            }
            if (state == wanted) {
                return;
            }
        }
    }

    private static void awaitEvent(String wanted) throws InterruptedException {
        while (true) {
            String event = EVENTS.poll(30, TimeUnit.SECONDS);
            if (event == null) {
                throw new IllegalStateException("timed out waiting for event " + wanted);
            }
            if (event.equals(wanted)) {
                return;
            }
        }
    }

    private static void pause(String tag) throws Exception {
        System.out.println("READY " + tag);
        System.out.flush();
        if (STDIN.readLine() == null) {
            throw new EOFException("stdin closed at " + tag);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** create2, null data, multiRead with a failing op, watches removed by checkWatches/removeWatches. */
    private static void reads(ZooKeeper zk) throws Exception {
        Stat stat = new Stat();
        zk.create("/jr", bytes("parent"), OPEN, CreateMode.PERSISTENT, stat);
        zk.create("/jr/a", bytes("a"), OPEN, CreateMode.PERSISTENT);
        zk.create("/jr/null", null, OPEN, CreateMode.PERSISTENT);
        System.out.println("null data read back: " + Arrays.toString(zk.getData("/jr/null", false, null)));
        List<OpResult> results = zk.multi(Arrays.asList(Op.getChildren("/jr"), Op.getData("/jr/a"), Op.getData("/jr/missing")));
        System.out.println("multiRead results: " + results.size());
        zk.getChildren("/jr", true);
        Watcher dataWatcher = event -> System.out.println("DATA-WATCHER " + event.getType() + " " + event.getPath());
        zk.getData("/jr/a", dataWatcher, null);
        zk.removeWatches("/jr/a", dataWatcher, Watcher.WatcherType.Data, false);
        zk.removeAllWatches("/jr", Watcher.WatcherType.Children, false);
        try {
            zk.removeAllWatches("/jr", Watcher.WatcherType.Any, false);
        } catch (KeeperException.NoWatcherException expected) {
            System.out.println("no watcher left: " + expected.code());
        }
        zk.getConfig(false, null);
    }

    /** One-shot watches reset with SetWatches after a reconnect, then persistent ones with SetWatches2. */
    private static void reconnect(ZooKeeper zk) throws Exception {
        zk.create("/rw", bytes("0"), OPEN, CreateMode.PERSISTENT);
        zk.create("/rw/data", bytes("0"), OPEN, CreateMode.PERSISTENT);
        zk.getData("/rw/data", true, null);
        zk.exists("/rw/later", true);
        zk.getChildren("/rw", true);
        pause("one-shot-watches-set");
        awaitState(KeeperState.Disconnected);
        awaitState(KeeperState.SyncConnected);
        zk.getData("/rw/data", true, null);
        zk.exists("/rw/gone", true);
        zk.getChildren("/rw/later", true);
        zk.addWatch("/rw/p", AddWatchMode.PERSISTENT);
        zk.addWatch("/rw/tree", AddWatchMode.PERSISTENT_RECURSIVE);
        pause("persistent-watches-set");
        awaitState(KeeperState.Disconnected);
        awaitState(KeeperState.SyncConnected);
        zk.setData("/rw/data", bytes("after-reconnect"), -1);
        zk.create("/rw/gone", bytes("g"), OPEN, CreateMode.PERSISTENT);
        zk.create("/rw/later/kid", bytes("k"), OPEN, CreateMode.PERSISTENT);
        zk.create("/rw/p", bytes("p"), OPEN, CreateMode.PERSISTENT);
        zk.create("/rw/tree", bytes("t"), OPEN, CreateMode.PERSISTENT);
        zk.create("/rw/tree/leaf", bytes("l"), OPEN, CreateMode.PERSISTENT);
        zk.delete("/rw/p", -1);
    }

    /** The server reaps an emptied container, then an expired TTL node; exists-watches see both. */
    private static void reap(ZooKeeper zk) throws Exception {
        zk.create("/ctr", bytes("c"), OPEN, CreateMode.CONTAINER);
        zk.create("/ctr/child", bytes("x"), OPEN, CreateMode.PERSISTENT);
        zk.exists("/ctr", true);
        zk.delete("/ctr/child", -1);
        awaitEvent("NodeDeleted /ctr");
        zk.create("/ttl", bytes("t"), OPEN, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 500);
        zk.exists("/ttl", true);
        awaitEvent("NodeDeleted /ttl");
    }
}
