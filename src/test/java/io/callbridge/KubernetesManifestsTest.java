package io.callbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.callbridge.config.CallBridgeConfig;
import io.callbridge.config.ConfigLoader;
import io.callbridge.template.Templates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The Kubernetes manifests (conf/kustomization.yaml, conf/k8s/) against the code and its configuration. */
@SuppressWarnings("unchecked")
class KubernetesManifestsTest {
  static final Path CONF = Path.of("conf");
  static final Map<String, Map<String, Object>> BY_KIND_AND_NAME = new HashMap<>();
  static Map<String, Object> kustomization;
  static Map<String, Object> container;
  static Map<String, Object> podSpec;

  @BeforeAll
  static void read() throws IOException {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    kustomization = yaml.load(Files.readString(CONF.resolve("kustomization.yaml")));
    for (String resource : (List<String>) kustomization.get("resources")) {
      for (Object doc : yaml.loadAll(Files.readString(CONF.resolve(resource)))) {
        Map<String, Object> m = (Map<String, Object>) doc;
        String name = (String) ((Map<String, Object>) m.get("metadata")).get("name");
        BY_KIND_AND_NAME.put(m.get("kind") + "/" + name, m);
      }
    }
    Map<String, Object> deployment = get("Deployment/callbridge");
    podSpec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) deployment.get("spec"))
        .get("template")).get("spec");
    container = ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
  }

  static Map<String, Object> get(String kindAndName) {
    assertThat(BY_KIND_AND_NAME).as("the manifests hold " + kindAndName).containsKey(kindAndName);
    return BY_KIND_AND_NAME.get(kindAndName);
  }

  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  static int port(String name) {
    return ((List<Map<String, Object>>) container.get("ports")).stream().filter(p -> name.equals(p.get("name")))
        .map(p -> (Integer) p.get("containerPort")).findFirst().orElseThrow();
  }

  static Map<String, Map<String, Object>> env() {
    Map<String, Map<String, Object>> out = new HashMap<>();
    for (Map<String, Object> e : (List<Map<String, Object>>) container.get("env")) {
      out.put((String) e.get("name"), e);
    }
    return out;
  }

  /** The production configuration as the pod loads it: with the Deployment's environment. */
  static CallBridgeConfig configAsThePodLoadsIt() throws Exception {
    Map<String, String> env = new HashMap<>();
    env().forEach((name, e) -> env.put(name, e.containsKey("value") ? String.valueOf(e.get("value"))
        : name.equals("CALLBRIDGE_TD_BASIC_AUTH") ? "cHViOnByaXY=" : "secret-of-" + name)); // base64 of pub:priv
    CallBridgeConfig config = ConfigLoader.load(CONF.resolve("callbridge.yaml"), env);
    Templates.of(config);
    return config;
  }

  @Test
  void theConfigMapIsMadeOfTheFilesTheGatewayReadsAndMountedWhereItReadsThem() throws IOException {
    List<String> files = (List<String>) ((List<Map<String, Object>>) kustomization.get("configMapGenerator"))
        .get(0).get("files");
    Set<String> templates;
    try (Stream<Path> t = Files.list(CONF.resolve("templates"))) {
      templates = t.map(p -> "templates/" + p.getFileName()).collect(Collectors.toCollection(TreeSet::new));
    }
    List<String> expected = new ArrayList<>(List.of("callbridge.yaml"));
    expected.addAll(templates);
    assertThat(files).as("every template, and the configuration").containsExactlyInAnyOrderElementsOf(expected);
    List<Map<String, Object>> volumes = (List<Map<String, Object>>) podSpec.get("volumes");
    List<Map<String, Object>> items = (List<Map<String, Object>>) map(volumes.get(0).get("configMap")).get("items");
    Map<String, String> mounted = items.stream().collect(Collectors.toMap(i -> (String) i.get("key"),
        i -> (String) i.get("path")));
    for (String f : files) {
      assertThat(mounted).containsEntry(Path.of(f).getFileName().toString(), f);
    }
    String mountPath = (String) ((List<Map<String, Object>>) container.get("volumeMounts")).get(0).get("mountPath");
    assertThat((List<String>) container.get("args")).containsExactly("run", "--config", mountPath + "/callbridge.yaml");
  }

  @Test
  void portsProbesAndGraceAreTheGatewaysOwn() throws Exception {
    CallBridgeConfig config = configAsThePodLoadsIt();
    assertThat(port("public")).isEqualTo(config.server().port());
    assertThat(port("admin")).isEqualTo(config.server().adminPort());
    String adminServer = Files.readString(Path.of("src/main/java/io/callbridge/ingress/AdminServer.java"));
    Map<String, Object> ready = map(map(container.get("readinessProbe")).get("httpGet"));
    Map<String, Object> live = map(map(container.get("livenessProbe")).get("httpGet"));
    assertThat(ready).containsEntry("path", "/health/ready").containsEntry("port", "admin");
    assertThat(live).containsEntry("path", "/health/live").containsEntry("port", "admin");
    assertThat(adminServer).contains("\"/health/ready\"", "\"/health/live\"", "\"/metrics\"");
    int preStop = (Integer) map(map(map(container.get("lifecycle")).get("preStop")).get("sleep")).get("seconds");
    int grace = (Integer) podSpec.get("terminationGracePeriodSeconds");
    assertThat(grace).as("preStop pause + shutdownGrace + a margin")
        .isGreaterThan(preStop + (int) config.server().shutdownGrace().toSeconds());
    Map<String, Object> annotations = map(map(map(map(get("Deployment/callbridge").get("spec")).get("template"))
        .get("metadata")).get("annotations"));
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", String.valueOf(config.server().adminPort()))
        .containsEntry("prometheus.io/path", "/metrics");
  }

  @Test
  void everyVariableTheConfigurationReadsIsSetAndEverySecretComesFromASecret() throws IOException {
    String withoutComments = Files.readAllLines(CONF.resolve("callbridge.yaml")).stream()
        .map(line -> line.replaceAll("(^|\\s)#.*$", "")).collect(Collectors.joining("\n"));
    Matcher m = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)").matcher(withoutComments);
    Set<String> read = new TreeSet<>();
    while (m.find()) {
      read.add(m.group(1));
    }
    Map<String, Map<String, Object>> env = env();
    assertThat(env.keySet()).as("every ${VAR} of conf/callbridge.yaml").containsAll(read);
    String code;
    try (Stream<Path> src = Files.walk(Path.of("src/main/java"))) {
      code = src.filter(p -> p.toString().endsWith(".java")).map(p -> {
        try {
          return Files.readString(p);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }).collect(Collectors.joining());
    }
    for (String name : env.keySet()) {
      assertThat(read.contains(name) || code.contains("\"" + name + "\"")).as(name + " is read by the gateway").isTrue();
      if (name.matches(".*(TOKEN|PASSWORD|AUTH|_ID)$") && !name.startsWith("CALLBRIDGE_DB_")) {
        assertThat(env.get(name)).as(name + " comes from a Secret").containsKey("valueFrom").doesNotContainKey("value");
      }
    }
    assertThat(env.get("CALLBRIDGE_DB_PASSWORD")).containsKey("valueFrom");
    assertThat(env).containsKey("CALLBRIDGE_DEPLOYMENT");
  }

  @Test
  void theDeploymentRunsTheImageJibBuildsAsJibStartsIt() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher image = Pattern.compile("<callbridge.image>([^<]+)</callbridge.image>").matcher(pom);
    assertThat(image.find()).as("pom.xml names the image").isTrue();
    assertThat(container.get("image")).isEqualTo(image.group(1));
    Matcher jibArgs = Pattern.compile("<args>(.*?)</args>", Pattern.DOTALL).matcher(pom);
    assertThat(jibArgs.find()).isTrue();
    List<String> args = new ArrayList<>();
    Matcher arg = Pattern.compile("<arg>([^<]+)</arg>").matcher(jibArgs.group(1));
    while (arg.find()) {
      args.add(arg.group(1));
    }
    assertThat((List<String>) container.get("args")).as("the Deployment's args are the image's own command")
        .isEqualTo(args);
    assertThat(pom).contains("<port>" + port("public") + "</port>", "<port>" + port("admin") + "</port>",
        "<into>/app/conf</into>");
  }

  @Test
  void servicesBudgetAndAutoscalerPointAtTheDeployment() {
    Set<String> named = ((List<Map<String, Object>>) container.get("ports")).stream()
        .map(p -> (String) p.get("name")).collect(Collectors.toSet());
    for (String service : List.of("Service/callbridge", "Service/callbridge-admin")) {
      Map<String, Object> spec = map(get(service).get("spec"));
      assertThat(map(spec.get("selector"))).containsEntry("app.kubernetes.io/name", "callbridge");
      for (Map<String, Object> p : (List<Map<String, Object>>) spec.get("ports")) {
        assertThat(named).contains((String) p.get("targetPort"));
      }
    }
    assertThat(map(map(map(get("PodDisruptionBudget/callbridge").get("spec")).get("selector")).get("matchLabels")))
        .containsEntry("app.kubernetes.io/name", "callbridge");
    Map<String, Object> hpa = map(get("HorizontalPodAutoscaler/callbridge").get("spec"));
    assertThat(map(hpa.get("scaleTargetRef"))).containsEntry("kind", "Deployment").containsEntry("name", "callbridge");
    assertThat((Integer) hpa.get("minReplicas")).isGreaterThanOrEqualTo(2);
  }
}
