// The real Curator 5.4 recipe instances one agent holds, each under a handle id chosen by the
// test: InterProcessMutex, InterProcessReadWriteLock, LeaderLatch and InterProcessSemaphoreV2.
// Curator's locks belong to the thread that acquired them, so the agent runs every command
// for one id on that id's own thread (see CuratorAgent); this class only does the work.
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;

final class AgentRecipes {
    /** A recipe bound to the path it was created for; an id never changes path. */
    private record Bound<T>(String path, T recipe) {}

    private record Semaphore(InterProcessSemaphoreV2 semaphore, int maxLeases, Deque<Lease> leases) {}

    private final CuratorFramework client;
    private final AgentOutput out;
    private final Map<String, Bound<InterProcessMutex>> mutexes = new ConcurrentHashMap<>();
    private final Map<String, Bound<InterProcessReadWriteLock>> rwLocks = new ConcurrentHashMap<>();
    private final Map<String, Bound<LeaderLatch>> latches = new ConcurrentHashMap<>();
    private final Map<String, Bound<Semaphore>> semaphores = new ConcurrentHashMap<>();

    AgentRecipes(CuratorFramework client, AgentOutput out) {
        this.client = client;
        this.out = out;
    }

    // ---- InterProcessMutex

    Map<String, Object> mutexAcquire(String id, String path, Long timeoutMs) throws Exception {
        InterProcessMutex mutex = bind(mutexes, "mutex", id, path, p -> new InterProcessMutex(client, p));
        return acquired(mutex, timeoutMs);
    }

    Map<String, Object> mutexRelease(String id) throws Exception {
        find(mutexes, "mutex", id).release();
        return Map.of();
    }

    // ---- InterProcessReadWriteLock (read and write side share one instance per id)

    Map<String, Object> rwAcquire(String id, String path, boolean write, Long timeoutMs) throws Exception {
        InterProcessReadWriteLock lock = bind(rwLocks, "rw lock", id, path, p -> new InterProcessReadWriteLock(client, p));
        return acquired(side(lock, write), timeoutMs);
    }

    /** The write or read side, seen as the InterProcessMutex both are (their common parent class is private). */
    private static InterProcessMutex side(InterProcessReadWriteLock lock, boolean write) {
        if (write) return lock.writeLock();
        return lock.readLock();
    }

    Map<String, Object> rwRelease(String id, boolean write) throws Exception {
        InterProcessReadWriteLock lock = find(rwLocks, "rw lock", id);
        side(lock, write).release();
        return Map.of();
    }

    // ---- LeaderLatch

    Map<String, Object> latchStart(String id, String path, String participantId) throws Exception {
        if (latches.containsKey(id)) throw new IllegalStateException("latch " + id + " is already started");
        LeaderLatch latch = new LeaderLatch(client, path, participantId, LeaderLatch.CloseMode.NOTIFY_LEADER);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                out.event("leader", Map.of("id", id, "participantId", participantId, "isLeader", true));
            }

            @Override
            public void notLeader() {
                out.event("leader", Map.of("id", id, "participantId", participantId, "isLeader", false));
            }
        });
        latches.put(id, new Bound<>(path, latch));
        latch.start();
        return Map.of();
    }

    Map<String, Object> latchHasLeadership(String id) {
        LeaderLatch latch = find(latches, "latch", id);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("hasLeadership", latch.hasLeadership());
        result.put("node", latch.getOurPath());
        return result;
    }

    Map<String, Object> latchAwait(String id, long timeoutMs) throws Exception {
        boolean leader = find(latches, "latch", id).await(timeoutMs, TimeUnit.MILLISECONDS);
        return Map.of("hasLeadership", leader);
    }

    Map<String, Object> latchParticipants(String id) throws Exception {
        List<Map<String, Object>> participants = new ArrayList<>();
        for (Participant p : find(latches, "latch", id).getParticipants()) {
            participants.add(Map.of("id", p.getId(), "isLeader", p.isLeader()));
        }
        return Map.of("participants", participants);
    }

    Map<String, Object> latchClose(String id) throws Exception {
        LeaderLatch latch = find(latches, "latch", id);
        latches.remove(id);
        latch.close();
        return Map.of();
    }

    // ---- InterProcessSemaphoreV2 (one id may hold several leases; release returns the oldest)

    Map<String, Object> semaphoreAcquire(String id, String path, int maxLeases, Long timeoutMs) throws Exception {
        Semaphore s = bind(semaphores, "semaphore", id, path,
                p -> new Semaphore(new InterProcessSemaphoreV2(client, p, maxLeases), maxLeases, new ArrayDeque<>()));
        if (s.maxLeases() != maxLeases) {
            throw new IllegalArgumentException("semaphore " + id + " was created with maxLeases " + s.maxLeases());
        }
        Lease lease = timeoutMs == null ? s.semaphore().acquire() : s.semaphore().acquire(timeoutMs, TimeUnit.MILLISECONDS);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("acquired", lease != null);
        if (lease != null) {
            s.leases().addLast(lease);
            result.put("nodeName", lease.getNodeName());
        }
        return result;
    }

    Map<String, Object> semaphoreRelease(String id) throws Exception {
        Semaphore s = find(semaphores, "semaphore", id);
        Lease lease = s.leases().pollFirst();
        if (lease == null) throw new IllegalStateException("semaphore " + id + " holds no lease");
        s.semaphore().returnLease(lease);
        return Map.of("nodeName", lease.getNodeName());
    }

    // ---- helpers

    private static Map<String, Object> acquired(InterProcessMutex mutex, Long timeoutMs) throws Exception {
        boolean acquired;
        if (timeoutMs == null) {
            mutex.acquire();
            acquired = true;
        } else {
            acquired = mutex.acquire(timeoutMs, TimeUnit.MILLISECONDS);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("acquired", acquired);
        if (acquired) result.put("node", lockPath(mutex));
        return result;
    }

    /** The lock node this thread holds; Curator keeps the getter protected, so we read it reflectively. */
    private static String lockPath(InterProcessMutex mutex) throws Exception {
        Method getter = InterProcessMutex.class.getDeclaredMethod("getLockPath");
        getter.setAccessible(true);
        return (String) getter.invoke(mutex);
    }

    private static <T> T bind(Map<String, Bound<T>> table, String kind, String id, String path, Function<String, T> create) {
        Bound<T> bound = table.computeIfAbsent(id, k -> new Bound<>(path, create.apply(path)));
        if (!bound.path().equals(path)) {
            throw new IllegalArgumentException(kind + " " + id + " is bound to " + bound.path() + ", not " + path);
        }
        return bound.recipe();
    }

    private static <T> T find(Map<String, Bound<T>> table, String kind, String id) {
        Bound<T> bound = table.get(id);
        if (bound == null) throw new IllegalStateException("no " + kind + " with id " + id);
        return bound.recipe();
    }
}
