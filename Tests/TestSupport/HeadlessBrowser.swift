import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loads an HTML page in a real headless Chromium and reports what the browser made of it.
///
/// The page's bytes are copied into a fresh temporary directory (so a page that needs files next
/// to it fails, as a self-contained report must not) and two probe scripts are added to the copy
/// only: hooks at the start of `<head>` that record `error` events (script errors and resources
/// that fail to load, caught on `window` in the capture phase), unhandled promise rejections and
/// calls to alert/confirm/prompt/print, and a probe just before `</body>` that, after the `load`
/// event, writes the facts into a `<pre id="ablate-probe-result">` (URI-encoded JSON, so that
/// serialisation cannot mangle it). Chromium runs with
/// `--headless --no-sandbox --disable-gpu --virtual-time-budget=10000 --dump-dom`, a throw-away
/// profile and every host name unresolvable (a report must not need the network), and is killed
/// after `timeout` seconds. The same bytes are also loaded as `page.xhtml`, which Chromium parses
/// with its strict XML parser: a `<parsererror>` in that DOM means the page is not well-formed
/// XHTML. Both loads run at the same time; each takes a second or two.
///
/// The binary is `$ABLATE_CHROMIUM` (a path or a name on PATH) or else `chromium` or
/// `chromium-browser` on PATH. Tests skip when there is none, unless ABLATE_REQUIRE_CHROMIUM=1.
public struct HeadlessBrowser: Sendable {
    /// What the probe saw in one load.
    public struct PageFacts: Sendable, Equatable, Decodable {
        /// `<img>` elements.
        public var images: Int
        /// Images that decoded: `complete && naturalWidth > 0`.
        public var decodedImages: Int
        public var tables: Int
        /// `<script>` elements other than the probe's own two.
        public var scripts: Int
        /// `error` events: script errors ("error: message at file:line") and failed resources
        /// ("resource error: <img> ..."), and unhandled promise rejections.
        public var errors: [String]
        /// Calls to alert, confirm, prompt or print ("alert(1)").
        public var dialogs: [String]
        /// `document.title`.
        public var title: String
        /// The body's `textContent` without the probe's scripts: the text a reader sees.
        public var text: String
        /// Every image's `alt` attribute ("" when missing).
        public var imageAlts: [String]
    }

    public struct Report: Sendable {
        /// The page loaded as `page.html` (the HTML parser).
        public var html: PageFacts
        /// The page loaded as `page.xhtml` (the XML parser); nil when it did not parse, or the
        /// probe did not run there.
        public var xhtml: PageFacts?
        /// The text of the `<parsererror>` element Chromium shows for a page that is not
        /// well-formed XML; nil when the XHTML load parsed.
        public var xhtmlParseError: String?
        /// Chromium's standard error for both loads (it is chatty: D-Bus, GPU, ... messages).
        public var stderr: String
        /// Wall-clock seconds for both loads (they run concurrently).
        public var seconds: Double
    }

    public enum Failure: Error, CustomStringConvertible {
        case notFound(String)
        case timedOut(seconds: Double, stderr: String)
        case noProbeResult(name: String, status: Int32, stdout: String, stderr: String)
        case badProbeResult(name: String, detail: String)

        public var description: String {
            switch self {
            case .notFound(let detail):
                return detail
            case .timedOut(let seconds, let stderr):
                return "Chromium did not finish within \(seconds) s and was killed; stderr:\n\(stderr)"
            case .noProbeResult(let name, let status, let stdout, let stderr):
                let hint = stdout.contains("xml-viewer")
                    ? " (Chromium showed it as plain XML: the root element lacks xmlns=\"http://www.w3.org/1999/xhtml\")" : ""
                return "no probe result in Chromium's DOM for \(name)\(hint) (exit status \(status)); "
                    + "stdout starts: \(stdout.prefix(2000))\nstderr:\n\(stderr)"
            case .badProbeResult(let name, let detail):
                return "unreadable probe result for \(name): \(detail)"
            }
        }
    }

    public enum Availability: Sendable {
        case found(HeadlessBrowser)
        /// No usable binary; `required` is true when ABLATE_REQUIRE_CHROMIUM=1, and the test must
        /// then fail rather than skip.
        case missing(reason: String, required: Bool)
    }

    /// The Chromium binary.
    public var executable: URL
    /// Seconds after which a load is killed.
    public var timeout: Double = 60

    public init(executable: URL) {
        self.executable = executable
    }

    /// Finds Chromium as described on the type.
    public static func availability(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Availability {
        let required = environment["ABLATE_REQUIRE_CHROMIUM"] == "1"
        let candidates: [String]
        if let chosen = environment["ABLATE_CHROMIUM"], !chosen.isEmpty {
            candidates = [chosen]
        } else {
            candidates = ["chromium", "chromium-browser"]
        }
        let path = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for candidate in candidates {
            let options = candidate.contains("/") ? [candidate] : path.map { "\($0)/\(candidate)" }
            if let found = options.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
                return .found(HeadlessBrowser(executable: URL(fileURLWithPath: found)))
            }
        }
        let what = environment["ABLATE_CHROMIUM"].map { $0.isEmpty ? nil : $0 } ?? nil
        let reason = (what.map { "ABLATE_CHROMIUM=\($0) is not an executable" }
            ?? "headless Chromium not found (neither chromium nor chromium-browser is on PATH)")
            + "; install it with scripts/install-deps --test or name it in ABLATE_CHROMIUM"
        return .missing(reason: reason, required: required)
    }

    /// Loads the file's bytes (as `page.html` and as `page.xhtml`).
    public func load(file: URL) throws -> Report {
        try load(bytes: Data(contentsOf: file))
    }

    /// Loads the markup (as `page.html` and as `page.xhtml`).
    public func load(html: String) throws -> Report {
        try load(bytes: Data(html.utf8))
    }

    func load(bytes: Data) throws -> Report {
        let fileManager = FileManager.default
        let directory = fileManager.temporaryDirectory.appendingPathComponent("ablate-browser-\(UUID().uuidString)")
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        defer {
            if ProcessInfo.processInfo.environment["ABLATE_KEEP_BROWSER"] == nil {
                try? fileManager.removeItem(at: directory)
            } else {
                print("kept \(directory.path)")
            }
        }
        let probed = Data(Self.addProbe(to: String(decoding: bytes, as: UTF8.self)).utf8)
        let started = Date()
        var runs: [Run] = []
        defer { for run in runs where run.process.isRunning { run.kill() } }
        for name in ["page.html", "page.xhtml"] {
            let page = directory.appendingPathComponent(name)
            try probed.write(to: page)
            runs.append(try start(page: page, in: directory))
        }
        for run in runs { try run.wait(until: started.addingTimeInterval(timeout), timeout: timeout) }
        let seconds = Date().timeIntervalSince(started)

        let stderr = runs.map { "--- \($0.name)\n" + $0.stderr() }.joined(separator: "\n")
        let html = try Self.facts(in: runs[0])
        let xhtmlDOM = runs[1].stdout()
        var parseError: String?
        if let range = xhtmlDOM.range(of: "<parsererror", options: .caseInsensitive) {
            let rest = xhtmlDOM[range.lowerBound...]
            let end = rest.range(of: "</parsererror>", options: .caseInsensitive)?.upperBound ?? rest.endIndex
            parseError = Self.textContent(String(rest[..<end]))
        }
        // When the XML parser accepted the page the probe must have reported; if not, this throws
        // and says why rather than pretending all is well.
        let xhtml = parseError == nil ? try Self.facts(in: runs[1]) : nil
        return Report(html: html, xhtml: xhtml, xhtmlParseError: parseError, stderr: stderr, seconds: seconds)
    }

    // MARK: running Chromium

    private static func sendKillSignal(_ pid: Int32) {
        #if canImport(Glibc)
            _ = Glibc.kill(pid, SIGKILL)
        #elseif canImport(Darwin)
            _ = Darwin.kill(pid, SIGKILL)
        #endif
    }

    final class Run {
        let name: String
        let process: Process
        let output: URL
        let errors: URL

        init(name: String, process: Process, output: URL, errors: URL) {
            self.name = name
            self.process = process
            self.output = output
            self.errors = errors
        }

        func stdout() -> String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
        func stderr() -> String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

        /// SIGTERM, then SIGKILL if Chromium is still there after 5 s.
        func kill() {
            guard process.isRunning else { return }
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { HeadlessBrowser.sendKillSignal(process.processIdentifier) }
            process.waitUntilExit()
        }

        func wait(until deadline: Date, timeout: Double) throws {
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning {
                kill()
                throw Failure.timedOut(seconds: timeout, stderr: stderr())
            }
            process.waitUntilExit()
        }
    }

    private func start(page: URL, in directory: URL) throws -> Run {
        let name = page.lastPathComponent
        let profile = directory.appendingPathComponent("profile-\(name)")
        let output = directory.appendingPathComponent("\(name).dom")
        let errors = directory.appendingPathComponent("\(name).stderr")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
            "--user-data-dir=\(profile.path)", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-sync", "--disable-background-networking",
            "--disable-component-update", "--mute-audio", "--hide-scrollbars",
            // A self-contained report needs no network: make every host name unresolvable.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--dump-dom", page.absoluteString,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_CONFIG_HOME"] = directory.appendingPathComponent("config").path
        environment["XDG_CACHE_HOME"] = directory.appendingPathComponent("cache").path
        process.environment = environment
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        // Files, not pipes: the DOM of a report with images is larger than a pipe's buffer.
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        do {
            try process.run()
        } catch {
            throw Failure.notFound("could not start \(executable.path): \(error)")
        }
        return Run(name: name, process: process, output: output, errors: errors)
    }

    // MARK: the probe

    static let probeResultID = "ablate-probe-result"

    /// Installs the listeners once (the head hooks, or the body probe if the page has no head).
    static let hooks = """
        if (!window.__ablateProbe) {
          window.__ablateProbe = { errors: [], dialogs: [] };
          window.addEventListener('error', function (e) {
            var t = e.target;
            if (t && t !== window && t.tagName) {
              window.__ablateProbe.errors.push('resource error: <' + t.tagName.toLowerCase() + '> '
                + String(t.getAttribute('src') || t.getAttribute('href') || '').slice(0, 100));
            } else {
              window.__ablateProbe.errors.push('error: ' + e.message + ' at ' + e.filename + ':' + e.lineno);
            }
          }, true);
          window.addEventListener('unhandledrejection', function (e) {
            window.__ablateProbe.errors.push('unhandled rejection: ' + e.reason);
          });
          ['alert', 'confirm', 'prompt', 'print'].forEach(function (name) {
            window[name] = function (message) { window.__ablateProbe.dialogs.push(name + '(' + message + ')'); };
          });
        }
        """

    static let probe = hooks + """

        (function () {
          function report() {
            var log = window.__ablateProbe;
            var images = document.images, decoded = 0, alts = [];
            for (var i = 0; i !== images.length; i++) {
              if (images[i].complete && images[i].naturalWidth > 0) decoded++;
              alts.push(images[i].getAttribute('alt') || '');
            }
            var scripts = document.getElementsByTagName('script'), others = 0;
            for (var j = 0; j !== scripts.length; j++) {
              if (!scripts[j].hasAttribute('data-ablate-probe')) others++;
            }
            var text = '';
            if (document.body) {
              var copy = document.body.cloneNode(true);
              var own = copy.querySelectorAll('script[data-ablate-probe]');
              for (var k = 0; k !== own.length; k++) own[k].parentNode.removeChild(own[k]);
              text = copy.textContent;
            }
            var facts = {
              images: images.length, decodedImages: decoded,
              tables: document.getElementsByTagName('table').length, scripts: others,
              errors: log.errors, dialogs: log.dialogs, title: document.title, text: text, imageAlts: alts
            };
            var out = document.createElement('pre');
            out.id = '\(probeResultID)';
            out.textContent = encodeURIComponent(JSON.stringify(facts));
            (document.body || document.documentElement).appendChild(out);
          }
          if (document.readyState === 'complete') { setTimeout(report, 0); }
          else { window.addEventListener('load', function () { setTimeout(report, 0); }); }
        })();
        """

    /// A script element that both the HTML and the XML parser accept: the CDATA markers are
    /// JavaScript comments for the first and hide `<` and `&` from the second.
    static func scriptElement(_ code: String) -> String {
        "<script data-ablate-probe=\"1\">//<![CDATA[\n\(code)\n//]]></script>"
    }

    /// The page with the hooks right after `<head ...>` and the probe just before the last `</body>`
    /// (at the end when there is none).
    public static func addProbe(to page: String) -> String {
        var page = page
        if let close = page.range(of: "</body>", options: [.caseInsensitive, .backwards]) {
            page.insert(contentsOf: scriptElement(probe) + "\n", at: close.lowerBound)
        } else {
            page += scriptElement(probe) + "\n"
        }
        if let open = page.range(of: "<head", options: .caseInsensitive),
           open.upperBound < page.endIndex,
           page[open.upperBound] == ">" || page[open.upperBound].isWhitespace,
           let end = page[open.upperBound...].firstIndex(of: ">") {
            page.insert(contentsOf: "\n" + scriptElement(hooks), at: page.index(after: end))
        }
        return page
    }

    static func facts(in run: Run) throws -> PageFacts {
        let dom = run.stdout()
        guard let marker = dom.range(of: "id=\"\(probeResultID)\""),
              let start = dom[marker.upperBound...].firstIndex(of: ">"),
              let end = dom[start...].firstIndex(of: "<")
        else {
            throw Failure.noProbeResult(
                name: run.name, status: run.process.terminationStatus, stdout: dom, stderr: run.stderr())
        }
        let encoded = String(dom[dom.index(after: start)..<end])
        guard let json = encoded.removingPercentEncoding else {
            throw Failure.badProbeResult(name: run.name, detail: "not URI-encoded: \(encoded.prefix(200))")
        }
        do {
            return try JSONDecoder().decode(PageFacts.self, from: Data(json.utf8))
        } catch {
            throw Failure.badProbeResult(name: run.name, detail: "\(error): \(json.prefix(500))")
        }
    }

    /// Markup with its tags removed (enough for Chromium's parser-error box).
    static func textContent(_ markup: String) -> String {
        var out = ""
        var inTag = false
        for character in markup {
            if character == "<" { inTag = true } else if character == ">" { inTag = false; out += " " } else if !inTag {
                out.append(character)
            }
        }
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
