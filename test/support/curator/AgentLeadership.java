// The agent's LeaderSelector verbs (see CuratorAgent for the line protocol), for the zabkit
// leader recipes' interop tests. `selector.start` runs a real Curator LeaderSelector with
// autoRequeue and a LeaderSelectorListenerAdapter (leadership cancelled on SUSPENDED / LOST).
// Its takeLeadership emits a "selector" event {id, participantId, state:"taken"} and holds
// leadership until the test sends `selector.yield <id>` (state "released") or Curator interrupts
// it (state "interrupted"); each event is written before takeLeadership returns, that is before
// Curator deletes the node.
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;
import org.apache.curator.framework.recipes.leader.Participant;

final class AgentLeadership {
    private record Selector(LeaderSelector selector, Semaphore yields) {}

    private final CuratorFramework client;
    private final AgentOutput out;
    private final Map<String, Selector> selectors = new ConcurrentHashMap<>();

    AgentLeadership(CuratorFramework client, AgentOutput out) {
        this.client = client;
        this.out = out;
    }

    Map<String, Object> selectorStart(String id, String path, String participantId) {
        if (selectors.containsKey(id)) throw new IllegalStateException("selector " + id + " is already started");
        Semaphore yields = new Semaphore(0);
        LeaderSelectorListenerAdapter listener = new LeaderSelectorListenerAdapter() {
            @Override
            public void takeLeadership(CuratorFramework ignored) throws Exception {
                emit(id, participantId, "taken");
                try {
                    yields.acquire();
                } catch (InterruptedException e) {
                    emit(id, participantId, "interrupted");
                    Thread.currentThread().interrupt();
                    throw e;
                }
                emit(id, participantId, "released");
            }
        };
        LeaderSelector selector = new LeaderSelector(client, path, listener);
        selector.setId(participantId);
        selector.autoRequeue();
        selectors.put(id, new Selector(selector, yields));
        selector.start();
        return Map.of();
    }

    /** Lets the running takeLeadership return (or the next one, if none runs yet). */
    Map<String, Object> selectorYield(String id) {
        find(id).yields().release();
        return Map.of();
    }

    Map<String, Object> selectorHasLeadership(String id) {
        return Map.of("hasLeadership", find(id).selector().hasLeadership());
    }

    Map<String, Object> selectorParticipants(String id) throws Exception {
        List<Map<String, Object>> participants = new ArrayList<>();
        for (Participant p : find(id).selector().getParticipants()) {
            participants.add(Map.of("id", p.getId(), "isLeader", p.isLeader()));
        }
        return Map.of("participants", participants);
    }

    Map<String, Object> selectorClose(String id) {
        Selector s = find(id);
        selectors.remove(id);
        s.selector().close();
        return Map.of();
    }

    private void emit(String id, String participantId, String state) {
        out.event("selector", Map.of("id", id, "participantId", participantId, "state", state));
    }

    private Selector find(String id) {
        Selector s = selectors.get(id);
        if (s == null) throw new IllegalStateException("no selector with id " + id);
        return s;
    }
}
