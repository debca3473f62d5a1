import VAExprsCore

/// `plot_aug`'s figure: real and generated cells in one embedding. Origin is shown by fill
/// (real filled, generated hollow, so greyscale prints keep it) and by colour unless colours
/// show labels; labels by marker shape. Every point has a tooltip (cell id, label, origin);
/// legend groups `origin:<real|generated>` and `label:<name>` toggle in the HTML page.
public enum AugmentationFigure {
    /// What colours encode.
    public enum ColourBy: String, Sendable, CaseIterable { case origin, label }

    /// One embedded cell.
    public struct Cell: Sendable {
        public var id: String
        public var generated: Bool
        public var label: String?
        public init(id: String, generated: Bool, label: String?) {
            self.id = id
            self.generated = generated
            self.label = label
        }
    }

    /// The figure for cells embedded at `coordinates` (first two columns drawn).
    public static func make(cells: [Cell], coordinates: DoubleMatrix, axisTitles: [String], method: String,
                            colourBy: ColourBy = .origin, width: Double = 720, height: Double = 520) -> Figure {
        precondition(cells.count == coordinates.rows && coordinates.columns >= 2)
        let labels = uniqueInOrder(cells.compactMap(\.label))
        let colourBy = labels.isEmpty ? .origin : colourBy
        let origins = ["real", "generated"]
        let shapes = MarkerShape.allCases
        // One style per (origin, label) pair.
        var styles: [PointStyle] = []
        var styleIndex: [String: Int] = [:]
        var style = [Int](repeating: 0, count: cells.count)
        for (i, cell) in cells.enumerated() {
            let origin = cell.generated ? "generated" : "real"
            let key = origin + "\u{0}" + (cell.label ?? "")
            if let s = styleIndex[key] { style[i] = s; continue }
            let labelIndex = cell.label.flatMap { labels.firstIndex(of: $0) }
            let colour = colourBy == .label ? Colour.categorical(labelIndex ?? 0) : Colour.categorical(cell.generated ? 1 : 0)
            var groups = ["origin:" + origin]
            if let label = cell.label { groups.append("label:" + label) }
            styles.append(PointStyle(colour: colour, shape: labelIndex.map { shapes[$0 % shapes.count] } ?? .circle,
                                     filled: !cell.generated, size: 5.5, groups: groups))
            styleIndex[key] = styles.count - 1
            style[i] = styles.count - 1
        }
        // Real cells first, generated on top: a generator's coverage is what the plot shows.
        let order = cells.indices.sorted { (cells[$0].generated ? 1 : 0, $0) < (cells[$1].generated ? 1 : 0, $1) }
        let x = order.map { coordinates[$0, 0] }, y = order.map { coordinates[$0, 1] }
        let tooltips = order.map { i in
            "\(cells[i].id)\nlabel: \(cells[i].label ?? "—")\norigin: \(cells[i].generated ? "generated" : "real")"
        }
        let points = PointMark(x: x, y: y, style: order.map { style[$0] }, styles: styles, tooltips: tooltips)
        let panel = Panel(x: Axis(title: axisTitles.count > 0 ? axisTitles[0] : "\(method) 1", covering: x),
                          y: Axis(title: axisTitles.count > 1 ? axisTitles[1] : "\(method) 2", covering: y),
                          marks: [.points(points)])
        var legends = [Legend(title: "Origin", entries: origins.enumerated().map { k, origin in
            LegendEntry(label: origin, colour: colourBy == .origin ? Colour.categorical(k) : .grey, shape: .circle,
                        filled: origin == "real", group: "origin:" + origin)
        })]
        if !labels.isEmpty {
            legends.append(Legend(title: "Label", entries: labels.enumerated().map { k, label in
                LegendEntry(label: label, colour: colourBy == .label ? Colour.categorical(k) : .grey, shape: shapes[k % shapes.count],
                            filled: true, group: "label:" + label)
            }))
        }
        let generated = cells.filter(\.generated).count
        return Figure(title: "\(cells.count - generated) real and \(generated) generated cells (\(method))", width: width, height: height,
                      panels: [panel], legends: legends)
    }

    static func uniqueInOrder(_ values: [String]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for v in values where seen.insert(v).inserted { out.append(v) }
        return out
    }
}
