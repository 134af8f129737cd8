package org.sipha.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The library jars as a Java build publishes them: each names its module ({@code Automatic-Module-Name}) and its
 * version in its manifest, and has a sources and a javadoc jar beside it. Reads the jars this module's tests run
 * with, which a reactor build ({@code mvn verify}) has just packaged.
 */
class LibraryJarsTest {
    private static final Map<String, String> MODULES = Map.of(
            "sip-ha-core", "org.sipha.core",
            "sip-ha-dispatcher", "org.sipha.dispatcher",
            "sip-ha-health", "org.sipha.health",
            "sip-ha-anycast", "org.sipha.anycast",
            "sip-ha-galera", "org.sipha.galera");

    @Test
    void eachLibraryJarNamesItsModuleAndVersionAndHasSourcesAndJavadoc() throws Exception {
        String version = System.getProperty("sipha.version");
        Map<String, Path> jars = new TreeMap<>();
        List<String> folders = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            for (String artifact : MODULES.keySet()) {
                if (p.getFileName().toString().equals(artifact + "-" + version + ".jar")) {
                    jars.put(artifact, p);
                } else if (p.endsWith(Path.of(artifact, "target", "classes"))) {
                    folders.add(entry);
                }
            }
        }
        // an IDE or a build of this module alone runs on class folders; CI runs the whole reactor
        Assumptions.assumeTrue(
                folders.isEmpty() || "true".equals(System.getenv("CI")), "library classes are folders: " + folders);
        assertEquals(MODULES.keySet(), jars.keySet(), "the library jars on the class path");
        for (Map.Entry<String, Path> e : jars.entrySet()) {
            try (JarFile jar = new JarFile(e.getValue().toFile())) {
                Attributes main = jar.getManifest().getMainAttributes();
                assertEquals(MODULES.get(e.getKey()), main.getValue("Automatic-Module-Name"), e.getKey());
                assertEquals(version, main.getValue("Implementation-Version"), e.getKey());
            }
            Path dir = e.getValue().getParent();
            if (dir.getFileName().toString().equals("target")) { // packaged by this build, not taken from a repository
                for (String classifier : List.of("sources", "javadoc")) {
                    Path attached = dir.resolve(e.getKey() + "-" + version + "-" + classifier + ".jar");
                    assertTrue(Files.isRegularFile(attached), attached + " missing");
                }
                try (JarFile javadoc = new JarFile(
                        dir.resolve(e.getKey() + "-" + version + "-javadoc.jar").toFile())) {
                    assertTrue(javadoc.getEntry("index.html") != null, e.getKey() + ": javadoc without index.html");
                }
            }
        }
    }
}
