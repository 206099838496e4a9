// `nodes <path>`: the subtree under a path as Curator's own client sees it, depth first with
// children sorted by name, each node with its data and the Stat fields a layout check needs
// (ephemeral owner, versions, child count). Nodes deleted mid-walk are skipped.
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

final class NodeListing {
    private NodeListing() {}

    static Map<String, Object> list(CuratorFramework client, String root) throws Exception {
        long mySession = client.getZookeeperClient().getZooKeeper().getSessionId();
        List<Map<String, Object>> nodes = new ArrayList<>();
        walk(client, root, mySession, nodes);
        return Map.of("nodes", nodes);
    }

    private static void walk(CuratorFramework client, String path, long mySession, List<Map<String, Object>> into) throws Exception {
        Stat stat = new Stat();
        byte[] data;
        List<String> children;
        try {
            data = client.getData().storingStatIn(stat).forPath(path);
            children = new ArrayList<>(client.getChildren().forPath(path));
        } catch (KeeperException.NoNodeException gone) {
            return;
        }
        children.sort(null);
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("path", path);
        node.put("data", data == null ? null : new String(data, StandardCharsets.UTF_8));
        node.put("dataBase64", data == null ? null : Base64.getEncoder().encodeToString(data));
        node.put("ephemeralOwner", "0x" + Long.toHexString(stat.getEphemeralOwner()));
        node.put("ownedByMe", stat.getEphemeralOwner() == mySession);
        node.put("version", stat.getVersion());
        node.put("cversion", stat.getCversion());
        node.put("numChildren", stat.getNumChildren());
        into.add(node);
        for (String child : children) walk(client, ZKPaths.makePath(path, child), mySession, into);
    }
}
