// The agent's barrier, counter and queue verbs (see CuratorAgent for the line protocol), for the
// zabkit recipes' interop tests: DistributedBarrier, DistributedDoubleBarrier, SharedCount,
// DistributedAtomicLong and the DistributedQueue family (String items as UTF-8, Curator's
// ItemSerializer around them). Consumed queue items arrive as "queue-item" events.
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.barriers.DistributedBarrier;
import org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier;
import org.apache.curator.framework.recipes.queue.DistributedDelayQueue;
import org.apache.curator.framework.recipes.queue.DistributedIdQueue;
import org.apache.curator.framework.recipes.queue.DistributedPriorityQueue;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;

final class AgentCoordination {
    private static final QueueSerializer<String> UTF8 = new QueueSerializer<>() {
        @Override
        public byte[] serialize(String item) {
            return item.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    private final CuratorFramework client;
    private final AgentOutput out;
    private final Map<String, DistributedDoubleBarrier> doubleBarriers = new ConcurrentHashMap<>();
    private final Map<String, SharedCount> counts = new ConcurrentHashMap<>();
    private final Map<String, AutoCloseable> queues = new ConcurrentHashMap<>();

    AgentCoordination(CuratorFramework client, AgentOutput out) {
        this.client = client;
        this.out = out;
    }

    // ---- DistributedBarrier (stateless: a new instance per call)

    Map<String, Object> barrierSet(String path) throws Exception {
        new DistributedBarrier(client, path).setBarrier();
        return Map.of();
    }

    Map<String, Object> barrierRemove(String path) throws Exception {
        new DistributedBarrier(client, path).removeBarrier();
        return Map.of();
    }

    Map<String, Object> barrierWait(String path, long timeoutMs) throws Exception {
        return Map.of("released", new DistributedBarrier(client, path).waitOnBarrier(timeoutMs, TimeUnit.MILLISECONDS));
    }

    // ---- DistributedDoubleBarrier (one per id; enter and leave run on the id's thread)

    Map<String, Object> doubleEnter(String id, String path, int memberQty, long timeoutMs) throws Exception {
        DistributedDoubleBarrier barrier = doubleBarriers.computeIfAbsent(id, k -> new DistributedDoubleBarrier(client, path, memberQty));
        return Map.of("entered", barrier.enter(timeoutMs, TimeUnit.MILLISECONDS));
    }

    Map<String, Object> doubleLeave(String id, long timeoutMs) throws Exception {
        DistributedDoubleBarrier barrier = doubleBarriers.get(id);
        if (barrier == null) throw new IllegalStateException("no double barrier with id " + id);
        return Map.of("left", barrier.leave(timeoutMs, TimeUnit.MILLISECONDS));
    }

    // ---- SharedCount

    Map<String, Object> countStart(String id, String path, int seed) throws Exception {
        SharedCount count = new SharedCount(client, path, seed);
        if (counts.putIfAbsent(id, count) != null) throw new IllegalStateException("count " + id + " is already started");
        count.start();
        return versioned(count.getVersionedValue());
    }

    Map<String, Object> countGet(String id) {
        return versioned(findCount(id).getVersionedValue());
    }

    /** Compare-and-set increments until `times` succeeded; answers how many attempts it took. */
    Map<String, Object> countIncrement(String id, int times) throws Exception {
        SharedCount count = findCount(id);
        int attempts = 0;
        for (int done = 0; done < times; ) {
            attempts++;
            VersionedValue<Integer> previous = count.getVersionedValue();
            if (count.trySetCount(previous, previous.getValue() + 1)) done++;
        }
        return Map.of("attempts", attempts);
    }

    Map<String, Object> countSet(String id, int value) throws Exception {
        findCount(id).setCount(value);
        return Map.of();
    }

    Map<String, Object> countClose(String id) throws Exception {
        SharedCount count = counts.remove(id);
        if (count != null) count.close();
        return Map.of();
    }

    // ---- DistributedAtomicLong

    /** `times` increments; answers every post value (each successful increment sees a distinct one). */
    Map<String, Object> atomicIncrement(String path, int times) throws Exception {
        DistributedAtomicLong counter = new DistributedAtomicLong(client, path, new RetryNTimes(1000, 1));
        List<Long> posts = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < times; i++) {
            AtomicValue<Long> result = counter.increment();
            if (result.succeeded()) posts.add(result.postValue());
            else failed++;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("postValues", posts);
        answer.put("failed", failed);
        return answer;
    }

    Map<String, Object> atomicGet(String path) throws Exception {
        AtomicValue<Long> value = new DistributedAtomicLong(client, path, new RetryNTimes(0, 0)).get();
        return Map.of("value", value.postValue());
    }

    // ---- queues: kind = plain | priority | delay | id; lockPath "-" for none

    Map<String, Object> queueStart(String id, String kind, String path, String lockPath, boolean consume) throws Exception {
        QueueConsumer<String> consumer = consume ? new QueueConsumer<>() {
            @Override
            public void consumeMessage(String item) {
                out.event("queue-item", Map.of("id", id, "item", item));
            }

            @Override
            public void stateChanged(CuratorFramework c, ConnectionState state) {}
        } : null;
        QueueBuilder<String> builder = QueueBuilder.builder(client, consumer, UTF8, path).putInBackground(false);
        if (!lockPath.equals("-")) builder = builder.lockPath(lockPath);
        AutoCloseable queue;
        switch (kind) {
            case "plain": {
                DistributedQueue<String> q = builder.buildQueue();
                q.start();
                queue = q;
                break;
            }
            case "priority": {
                DistributedPriorityQueue<String> q = builder.buildPriorityQueue(0);
                q.start();
                queue = q;
                break;
            }
            case "delay": {
                DistributedDelayQueue<String> q = builder.buildDelayQueue();
                q.start();
                queue = q;
                break;
            }
            case "id": {
                DistributedIdQueue<String> q = builder.buildIdQueue();
                q.start();
                queue = q;
                break;
            }
            default:
                throw new IllegalArgumentException("unknown queue kind " + kind);
        }
        if (queues.putIfAbsent(id, queue) != null) {
            queue.close();
            throw new IllegalStateException("queue " + id + " is already started");
        }
        return Map.of();
    }

    /** put: plain takes no extra; priority the priority; delay the due epoch ms; id the item id. */
    @SuppressWarnings("unchecked")
    Map<String, Object> queuePut(String id, String item, String extra) throws Exception {
        AutoCloseable queue = queues.get(id);
        if (queue == null) throw new IllegalStateException("no queue with id " + id);
        if (queue instanceof DistributedQueue) {
            ((DistributedQueue<String>) queue).put(item);
        } else if (queue instanceof DistributedPriorityQueue) {
            ((DistributedPriorityQueue<String>) queue).put(item, Integer.parseInt(need(extra, "priority")));
        } else if (queue instanceof DistributedDelayQueue) {
            ((DistributedDelayQueue<String>) queue).put(item, Long.parseLong(need(extra, "dueEpochMs")));
        } else {
            ((DistributedIdQueue<String>) queue).put(item, need(extra, "itemId"));
        }
        return Map.of();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> queueRemove(String id, String itemId) throws Exception {
        AutoCloseable queue = queues.get(id);
        if (!(queue instanceof DistributedIdQueue)) throw new IllegalStateException("no id queue with id " + id);
        return Map.of("removed", ((DistributedIdQueue<String>) queue).remove(itemId));
    }

    Map<String, Object> queueClose(String id) throws Exception {
        AutoCloseable queue = queues.remove(id);
        if (queue != null) queue.close();
        return Map.of();
    }

    // ---- helpers

    private SharedCount findCount(String id) {
        SharedCount count = counts.get(id);
        if (count == null) throw new IllegalStateException("no count with id " + id);
        return count;
    }

    private static Map<String, Object> versioned(VersionedValue<Integer> v) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("count", v.getValue());
        answer.put("version", v.getVersion());
        return answer;
    }

    private static String need(String value, String name) {
        if (value == null) throw new IllegalArgumentException("queue.put: missing <" + name + ">");
        return value;
    }
}
