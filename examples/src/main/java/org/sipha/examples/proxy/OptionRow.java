package org.sipha.examples.proxy;

import java.util.List;
import java.util.function.Consumer;

/**
 * One setting of the reference proxy, the row from which its command-line option ({@code --name value} or
 * {@code --name=value}), its YAML key ({@code name}, plus any aliases) and its line in {@code --help} are all made.
 * Immutable; built once into {@link ProxyOptionTable#ROWS}.
 *
 * @param name           the option's name without dashes, which is also its YAML key
 * @param label          the placeholder of its value in the help ({@code N}, {@code HOST:PORT}); null for a flag
 * @param kind           how values combine
 * @param defaultValue   the default as text, shown in the help; null when there is none
 * @param defaultApplied whether {@link #defaultValue} is applied through {@link #setter} before any other layer
 *                       (false where the default lives in the code that reads the value)
 * @param description    what it does, for the help
 * @param yamlAliases    further YAML keys that mean the same
 * @param resetGroup     for a list: rows whose values one layer replaces together (e.g. backends and dispatcher
 *                       lists); by default the row's name
 * @param reset          for a list: empties it before the first value of a layer above the one that filled it;
 *                       null for a list every layer adds to
 * @param setter         applies one value
 */
record OptionRow(
        String name,
        String label,
        Kind kind,
        String defaultValue,
        boolean defaultApplied,
        String description,
        List<String> yamlAliases,
        String resetGroup,
        Consumer<ProxyOptions> reset,
        Setter setter) {

    /** How the values of a row combine. */
    enum Kind {
        /** One value; a later one replaces it. */
        VALUE,
        /**
         * Several values (the option repeated, or a YAML sequence); a layer that gives any replaces the list of the
         * layers under it (the YAML file's list replaces the default, the command line's replaces the file's),
         * unless the row has no {@link #reset}: then every layer adds to it.
         */
        LIST,
        /** true or false: {@code --name} / {@code --no-name} on the command line, {@code name: false} in YAML. */
        FLAG
    }

    /** Applies one value of the row to the options. */
    @FunctionalInterface
    interface Setter {
        /**
         * @param o     the options being filled
         * @param value the value as text
         * @param from  where it came from; messages about it start with {@code from.name()}
         * @throws IllegalArgumentException naming {@code from.name()} if the value is wrong
         */
        void set(ProxyOptions o, String value, Source from);
    }

    /**
     * Where a value came from.
     *
     * @param layer the configuration layer
     * @param name  as the user wrote it: {@code --backend}, the YAML key {@code backends}, or an environment variable
     */
    record Source(Secret.Origin layer, String name) {}

    /** A single value with a default that the setter applies first. */
    static OptionRow value(String name, String label, String defaultValue, String description, Setter setter) {
        return new OptionRow(
                name,
                label,
                Kind.VALUE,
                defaultValue,
                defaultValue != null,
                description,
                List.of(),
                name,
                o -> {},
                setter);
    }

    /** A list; {@code reset} empties it (null: every layer adds to it). */
    static OptionRow list(
            String name,
            String label,
            String defaultValue,
            String description,
            Consumer<ProxyOptions> reset,
            Setter setter) {
        return new OptionRow(
                name,
                label,
                Kind.LIST,
                defaultValue,
                defaultValue != null,
                description,
                List.of(),
                name,
                reset,
                setter);
    }

    /** A flag whose default is {@code defaultValue}. */
    static OptionRow flag(String name, boolean defaultValue, String description, Setter setter) {
        return new OptionRow(
                name,
                null,
                Kind.FLAG,
                Boolean.toString(defaultValue),
                true,
                description,
                List.of(),
                name,
                o -> {},
                setter);
    }

    /** This row with a default that is shown but not applied (the reader of the value knows it). */
    OptionRow defaultShownOnly() {
        return new OptionRow(
                name, label, kind, defaultValue, false, description, yamlAliases, resetGroup, reset, setter);
    }

    /** This row, also read from the YAML keys {@code aliases}. */
    OptionRow alsoYaml(String... aliases) {
        return new OptionRow(
                name,
                label,
                kind,
                defaultValue,
                defaultApplied,
                description,
                List.of(aliases),
                resetGroup,
                reset,
                setter);
    }

    /** This list row, replaced together with the other rows of {@code group}. */
    OptionRow resetWith(String group) {
        return new OptionRow(
                name, label, kind, defaultValue, defaultApplied, description, yamlAliases, group, reset, setter);
    }

    /** The command-line option: {@code --name}. */
    String option() {
        return "--" + name;
    }
}
