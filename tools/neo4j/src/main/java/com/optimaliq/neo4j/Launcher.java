package com.optimaliq.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Starts an in-process Neo4j (test harness) with Bolt on 127.0.0.1, prints {@code NEO4J_READY bolt://...} once it
 * accepts connections, and stops on SIGTERM/SIGINT or, with {@code --watch-stdin}, when its standard input closes
 * (so a test runner that dies takes the server with it).
 *
 * <p>Arguments: {@code [--port N]} (0 = any free port, the default) {@code [--watch-stdin]}.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = 0;
    boolean watchStdin = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--watch-stdin" -> watchStdin = true;
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    if (port == 0) {
      try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
    }
    Path dir = Files.createTempDirectory("optimaliq-neo4j-");
    Neo4j neo4j =
        Neo4jBuilders.newInProcessBuilder(dir)
            .withDisabledServer()
            .withConfig(BoltConnector.enabled, true)
            .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .withConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
            .withConfig(GraphDatabaseSettings.auth_enabled, false)
            .build();

    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  neo4j.close();
                  stop.countDown();
                }));
    if (watchStdin) {
      Thread watcher =
          new Thread(
              () -> {
                try (InputStream in = System.in) {
                  while (in.read() != -1) {
                    // drain until the parent closes the pipe
                  }
                } catch (IOException ignored) {
                  // a broken pipe means the parent is gone: stop as well
                }
                System.exit(0);
              });
      watcher.setDaemon(true);
      watcher.start();
    }
    System.out.println("NEO4J_READY " + neo4j.boltURI());
    System.out.flush();
    stop.await();
  }
}
