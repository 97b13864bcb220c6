using System;
using System.IO;
using System.Threading.Tasks;
using PuppeteerSharp;

// Usage: HeadlessSignin <authorize URL>
// OQG_FAKE_BROWSER_LOGIN / OQG_FAKE_BROWSER_PASSWORD: what is typed on the sign-in page.
// OQG_FAKE_BROWSER_OUT: receives the text of the last page (the module's "you can close this
// window" page on success). OQG_CHROMIUM: the browser (default /usr/bin/chromium).
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var output = Environment.GetEnvironmentVariable("OQG_FAKE_BROWSER_OUT") ?? Path.Combine(Path.GetTempPath(), "oqg-headless.txt");
        if (args.Length != 1)
        {
            await File.WriteAllTextAsync(output, "HEADLESS BROWSER ERROR: expected one argument, the URL");
            return 2;
        }
        try
        {
            var options = new LaunchOptions
            {
                Headless = true,
                ExecutablePath = Environment.GetEnvironmentVariable("OQG_CHROMIUM") ?? "/usr/bin/chromium",
                // The emulator's TLS certificate comes from the test's own CA; --no-sandbox because
                // CI runs as root.
                Args = new[] { "--no-sandbox", "--ignore-certificate-errors", "--disable-gpu", "--no-first-run" },
            };
            await using var browser = await Puppeteer.LaunchAsync(options);
            var page = await browser.NewPageAsync();
            await page.GoToAsync(args[0], WaitUntilNavigation.Load);
            await page.EvaluateExpressionAsync("document.getElementById('login').value = ''");
            await page.TypeAsync("#login", Environment.GetEnvironmentVariable("OQG_FAKE_BROWSER_LOGIN") ?? string.Empty);
            await page.TypeAsync("#passwd", Environment.GetEnvironmentVariable("OQG_FAKE_BROWSER_PASSWORD") ?? string.Empty);
            await page.ClickAsync("#submit");
            // The sign-in page posts, Entra's (the emulator's) form_post page posts on to the
            // loopback listener by script, and the listener answers with its page.
            await page.WaitForFunctionAsync(
                "() => location.href.startsWith('http://localhost:') && document.readyState === 'complete' && document.body && document.body.innerText.length > 0",
                new WaitForFunctionOptions { Timeout = 60_000, PollingInterval = 200 });
            var text = await page.EvaluateExpressionAsync<string>("document.body.innerText");
            await File.WriteAllTextAsync(output, $"{page.Url}\n{text}");
            return 0;
        }
        catch (Exception e)
        {
            await File.WriteAllTextAsync(output, $"HEADLESS BROWSER ERROR: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
