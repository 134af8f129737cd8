package org.sipha.core.message;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * A property checked on {@link #cases()} inputs drawn from seeded {@link java.util.Random}s: a parameterized
 * test whose one parameter is a {@link PropertyCase}. The first case's seed is {@link #seed()}, each next one
 * follows from the one before (see {@link SeededCases}). {@code -Dsipha.seed=N} replaces the first seed of
 * every property and {@code -Dsipha.cases=N} the number of cases, so a failed case's printed seed reruns it.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@ArgumentsSource(SeededCases.class)
@ExtendWith(PrintSeedOnFailure.class)
@interface SeededProperty {
    long seed();

    int cases();
}
