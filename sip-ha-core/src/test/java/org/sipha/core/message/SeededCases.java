package org.sipha.core.message;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.support.ParameterDeclarations;

/**
 * The {@link PropertyCase}s of a {@link SeededProperty}: the first seed is the annotation's or
 * {@code -Dsipha.seed}, each next seed a hash of the one before, so the cases from any seed on can be rerun
 * by starting from it.
 */
final class SeededCases implements ArgumentsProvider {
    static final String SEED_PROPERTY = "sipha.seed";
    static final String CASES_PROPERTY = "sipha.cases";

    @Override
    public Stream<? extends Arguments> provideArguments(ParameterDeclarations parameters, ExtensionContext context) {
        SeededProperty property = context.getRequiredTestMethod().getAnnotation(SeededProperty.class);
        long first = Long.getLong(SEED_PROPERTY, property.seed());
        int cases = Integer.getInteger(CASES_PROPERTY, property.cases());
        return Stream.iterate(first, SeededCases::next).limit(cases).map(s -> Arguments.of(new PropertyCase(s)));
    }

    static long next(long seed) {
        return new SplittableRandom(seed).nextLong();
    }
}
