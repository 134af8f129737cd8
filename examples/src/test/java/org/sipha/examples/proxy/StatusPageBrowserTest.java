package org.sipha.examples.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.sipha.testsupport.RequiredTool;
import org.sipha.testsupport.SippProcess;
import org.sipha.testsupport.SippProcesses;

/**
 * The status page in a real headless Chromium (Debian's chromium and chromedriver): with two SIPp backends both
 * rows show up; SIGKILL one and its row turns to "down" as the page refreshes itself from /status. The screenshot
 * is kept in target/status-page/. Ports: the proxy and SIPp on 127.0.0.1:15410-15429 (as
 * {@link AdminEndpointIntegrationTest}, never at the same time), the endpoint on 127.0.0.1:18083.
 */
class StatusPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "status-page");

    @TempDir
    Path dir;

    private final SippProcesses sipp = new SippProcesses();
    private AdminProxyFixture proxy;

    @BeforeAll
    static void requireTools() {
        SippProcess.requireSipp();
        RequiredTool.requireExecutable(CHROMIUM, "chromium");
        RequiredTool.requireExecutable(CHROMEDRIVER, "chromium-driver");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        sipp.close();
    }

    @Test
    void aStoppedBackendsRowTurnsDown() throws Exception {
        sipp.start(SippProcess.uas("uas_answer.xml", 15411, 15421, 15424).answerOptions());
        SippProcess b = sipp.start(
                SippProcess.uas("uas_answer.xml", 15412, 15422, 15427).answerOptions());
        Path list = dir.resolve("dispatcher.list");
        Files.writeString(list, "1 sip:127.0.0.1:15411 0 0 duid=a\n1 sip:127.0.0.1:15412 0 0 duid=b\n");
        proxy = AdminProxyFixture.start(
                "--listen", "udp:127.0.0.1:15410",
                "--dispatcher-list", list.toString(),
                "--probe-interval-ms", "300",
                "--probe-timeout-ms", "250",
                "--warmup-calls", "0",
                "--admin-listen", "127.0.0.1:18083");

        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,800");
        ChromeDriver driver = new ChromeDriver(ChromeDriverService.createDefaultService(), options);
        try {
            driver.get(proxy.admin.url());
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(100));
            wait.until(d -> "up".equals(status(d, "a")) && "up".equals(status(d, "b")));
            screenshot(driver, "both-up.png");

            b.sigkill();
            wait.withMessage(() -> "b's row: " + status(driver, "b")).until(d -> "down".equals(status(d, "b")));
            assertEquals("up", status(driver, "a"));
            String row = text(driver, "tr[data-destination='b']");
            assertTrue(row.contains("probe timeout"), "its last change and why: " + row);
            assertTrue(text(driver, "#changes").contains("probe timeout"), "in the recent changes too");
            Path shot = screenshot(driver, "b-down.png");
            assertTrue(Files.size(shot) > 0);
        } finally {
            driver.quit();
        }
    }

    /** The status word in destination {@code id}'s row, or "" while the page has no such row. */
    private static String status(WebDriver d, String id) {
        return text(d, "tr[data-destination='" + id + "'] td.status").trim();
    }

    /**
     * The rendered text of the first element matching {@code css}, or "" if none. Read in one script so a refresh
     * that replaces the table between finding the element and reading it cannot leave a stale reference.
     */
    private static String text(WebDriver d, String css) {
        Object t = ((JavascriptExecutor) d)
                .executeScript("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css);
        return t == null ? "" : t.toString();
    }

    private static Path screenshot(ChromeDriver driver, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name);
        Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        return file;
    }
}
