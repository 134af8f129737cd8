package org.sipha.core.message;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.TestAbortedException;

/**
 * Rethrows a failed {@link SeededProperty} case as an {@link AssertionError} whose message holds the case's
 * seed, the options that rerun it, and its inputs; the original failure is the cause.
 */
final class PrintSeedOnFailure implements InvocationInterceptor {

    @Override
    public void interceptTestTemplateMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        try {
            invocation.proceed();
        } catch (TestAbortedException e) {
            throw e;
        } catch (Throwable t) {
            PropertyCase c = call.getArguments().stream()
                    .filter(PropertyCase.class::isInstance)
                    .map(PropertyCase.class::cast)
                    .findFirst()
                    .orElseThrow(() -> t);
            String test = context.getRequiredTestClass().getSimpleName() + "#"
                    + call.getExecutable().getName();
            throw new AssertionError(
                    test + " failed for seed " + c.seed() + ": " + t
                            + "\nrerun this case first: -Dtest='" + test + "' -D" + SeededCases.SEED_PROPERTY + "="
                            + c.seed()
                            + " -D" + SeededCases.CASES_PROPERTY + "=1\ninputs:\n" + c.describeInputs(),
                    t);
        }
    }
}
