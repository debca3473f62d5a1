import CCairo
import Foundation
import Testing
import VAExprsCore
import VAExprsPlots

@testable import VAExprsRenderers

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Counts elements by name while checking the document is well-formed XML.
final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        counts[name, default: 0] += 1
    }
}

func parseXML(_ bytes: [UInt8]) -> (ok: Bool, counts: [String: Int]) {
    let parser = XMLParser(data: Data(bytes))
    let counter = ElementCounter()
    parser.delegate = counter
    return (parser.parse(), counter.counts)
}

func augmentationFigure() -> Figure {
    let (cells, xy) = sampleAugmentation()
    return AugmentationFigure.make(
        cells: cells, coordinates: xy, axisTitles: ["PC1 (40.0 %)", "PC2 (20.0 %)"], method: "pca")
}

func which(_ tool: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(dir)/\(tool)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

/// A Chromium for the HTML check, when one is installed.
let chromiumPath = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(which).first

@Suite struct RendererTests {
    let figure = augmentationFigure()

    @Test func svgIsWellFormedWithEveryPoint() throws {
        let svg = try SVGRenderer(spec: ComponentSpec(name: "svg")).render(figure)
        let (ok, counts) = parseXML(svg)
        #expect(ok)
        // 120 cells plus one swatch per legend entry (2 origins, 3 labels).
        #expect(counts["use"] == 125)
        #expect(counts["svg"] == 1 && (counts["text"] ?? 0) > 10)
        let text = String(decoding: svg, as: UTF8.self)
        #expect(text.contains("PC1 (40.0 %)") && text.contains(">generated<"))
    }

    @Test func textIsEscaped() throws {
        var f = figure
        f.title = "a < b & \"c\""
        let (ok, _) = parseXML(try SVGRenderer(spec: ComponentSpec(name: "svg")).render(f))
        #expect(ok)
    }

    @Test func pngDecodesAtTheRequestedScale() throws {
        let png = try CairoRenderer(spec: ComponentSpec(name: "png", options: ["scale": "1.5"]), format: .png).render(
            figure)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let path = NSTemporaryDirectory() + "vaexprs-test-\(UUID().uuidString).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(png).write(to: URL(fileURLWithPath: path))
        let surface = cairo_image_surface_create_from_png(path)
        defer { cairo_surface_destroy(surface) }
        #expect(cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS)
        #expect(cairo_image_surface_get_width(surface) == 1080 && cairo_image_surface_get_height(surface) == 780)
        // Not a blank image: some pixels are neither white nor transparent.
        cairo_surface_flush(surface)
        let data = cairo_image_surface_get_data(surface)!, stride = Int(cairo_image_surface_get_stride(surface))
        var coloured = 0
        for y in Swift.stride(from: 0, to: 780, by: 3) {
            for x in Swift.stride(from: 0, to: 1080, by: 3) {
                let p = data + y * stride + 4 * x
                if p[0] < 200 || p[1] < 200 || p[2] < 200 { coloured += 1 }
            }
        }
        #expect(coloured > 500)
    }

    @Test func pdfIsAPDF() throws {
        #expect(throws: VAExprsError.self) {
            try CairoRenderer(spec: ComponentSpec(name: "pdf", options: ["scale": "2"]), format: .pdf)
        }
        let pdf = try CairoRenderer(spec: ComponentSpec(name: "pdf"), format: .pdf).render(figure)
        #expect(String(decoding: pdf.prefix(5), as: UTF8.self) == "%PDF-")
    }

    @Test(
        .enabled(
            if: which("pdftoppm") != nil,
            "pdftoppm (poppler-utils) is not installed; scripts/install-deps.sh installs it"))
    func pdfRendersWithPoppler() throws {
        let pdf = try CairoRenderer(spec: ComponentSpec(name: "pdf"), format: .pdf).render(figure)
        let pdftoppm = try #require(which("pdftoppm"))
        let dir = NSTemporaryDirectory() + "vaexprs-pdf-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(pdf).write(to: URL(fileURLWithPath: dir + "/f.pdf"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pdftoppm)
        process.arguments = ["-png", "-r", "50", dir + "/f.pdf", dir + "/page"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).contains {
                $0.hasPrefix("page") && $0.hasSuffix(".png")
            })
    }

    @Test func htmlIsSelfContainedAndInteractive() throws {
        let html = String(decoding: try HTMLRenderer(spec: ComponentSpec(name: "html")).render(figure), as: UTF8.self)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "data-i=\"").count - 1 == 120)
        #expect(html.components(separatedBy: "class=\"legend-entry\"").count - 1 == 5)
        #expect(!html.contains("src=") && !html.contains("href=\"http") && !html.contains("@import"))
        #expect(html.contains("cell_0_0\\nlabel: group1\\norigin: real"))
    }

    /// Issue 14: a label such as `<!--<script>` or `</script>` cannot break out of the page's
    /// script block, attributes or text; control characters do not make the SVG invalid XML.
    @Test func hostileLabelsAreEscapedForTheirContext() throws {
        var (cells, xy) = sampleAugmentation(perGroup: 3)
        let hostile = ["<!--<script>", "</script><script>alert(1)</script>", "a\"b' & c\u{1}\u{2028}"]
        for index in cells.indices { cells[index].label = hostile[index % 3] }
        let f = AugmentationFigure.make(cells: cells, coordinates: xy, axisTitles: ["x", "y"], method: "pca")
        let html = String(decoding: try HTMLRenderer(spec: ComponentSpec(name: "html")).render(f), as: UTF8.self)
        let script = html.components(separatedBy: "<script>\nconst data = ")
        #expect(script.count == 2)
        let block = script.last!.components(separatedBy: "</script>")
        #expect(
            block.count == 2 && !block[0].contains("<") && block[0].contains("\\u003c!--\\u003cscript\\u003e"),
            "\(block[0].prefix(300))")
        #expect(!html.contains("<!--") && html.components(separatedBy: "<script").count == 2)
        let svg = try SVGRenderer(spec: ComponentSpec(name: "svg")).render(f)
        #expect(parseXML(svg).ok)
        let svgText = String(decoding: svg, as: UTF8.self)
        #expect(svgText.contains("&lt;!--&lt;script&gt;") && !svgText.contains("<!--") && !svgText.contains("\u{1}"))
    }

    @Test(.enabled(if: chromiumPath != nil, "no Chromium on this machine (apt-get install chromium to run this check)"))
    func htmlOpensInHeadlessChromium() throws {
        let chromium = try #require(chromiumPath)
        let path = NSTemporaryDirectory() + "vaexprs-\(UUID().uuidString).html"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(try HTMLRenderer(spec: ComponentSpec(name: "html")).render(figure)).write(
            to: URL(fileURLWithPath: path))
        let process = Process(), out = Pipe()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + path]
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(dom.components(separatedBy: "data-i=\"").count - 1 == 120)
    }

    @Test func terminalDrawsBrailleAndLegend() throws {
        let text = String(
            decoding: try TerminalRenderer(
                spec: ComponentSpec(name: "terminal", options: ["width": "60", "height": "12", "color": "false"])
            )
            .render(figure), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0.contains("┤") }.count == 12)
        #expect(text.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) })
        #expect(text.contains("● real") && text.contains("○ generated") && text.contains("group3"))
        #expect(!text.contains("\u{1B}["))
        #expect(throws: VAExprsError.self) {
            try TerminalRenderer(spec: ComponentSpec(name: "terminal", options: ["width": "3"]))
        }
        #expect(throws: VAExprsError.self) {
            try TerminalRenderer(spec: ComponentSpec(name: "terminal", options: ["width": "100000"]))
        }
    }

    /// Issue 15: a braille character takes the colour most of its dots were drawn in, not the
    /// last one's (300 real + 300 generated cells looked all orange).
    @Test func terminalColoursEachCharacterByItsMajority() {
        let blue = Colour.categorical(0), orange = Colour.categorical(1)
        var canvas = BrailleCanvas(columns: 1, rows: 1)
        for dy in [0.1, 0.4, 0.6] { canvas.plot(0.2, dy, colour: blue) }
        canvas.plot(0.8, 0.9, colour: orange)
        #expect(canvas.colour(ofCell: 0) == blue)
        #expect(canvas.lines(colour: true)[0].hasPrefix(ansi(blue)))
    }
}
