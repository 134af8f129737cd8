package org.sipha.examples.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads the reference proxy's YAML file ({@code --config}): a mapping of keys (the options' names without dashes)
 * to a scalar or a sequence of scalars. Which keys exist is {@link ProxyOptionTable}'s business. Any thread.
 */
final class ProxyYamlFile {
    private ProxyYamlFile() {}

    /**
     * The file's keys in order, each with its values as text (one for a scalar).
     *
     * @throws IllegalArgumentException starting with {@code --config} if the file cannot be read or is not a
     *     mapping, or with the key if a value is missing or not a scalar
     */
    static Map<String, List<String>> read(Path file) {
        Object root;
        try (InputStream in = Files.newInputStream(file)) {
            root = new Load(LoadSettings.builder().build()).loadFromInputStream(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("--config: cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--config: " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (root == null) {
            return out;
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("--config: " + file + " must be a YAML mapping");
        }
        map.forEach((k, v) -> {
            String key = String.valueOf(k);
            out.put(key, scalars(v, key));
        });
        return out;
    }

    private static List<String> scalars(Object v, String key) {
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> l) {
            l.forEach(x -> out.add(scalar(x, key)));
        } else {
            out.add(scalar(v, key));
        }
        return out;
    }

    private static String scalar(Object v, String key) {
        if (v == null) {
            throw new IllegalArgumentException(key + ": a value is required");
        }
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            throw new IllegalArgumentException(key + ": expected a value or a list of values, got " + v);
        }
        return String.valueOf(v);
    }
}
