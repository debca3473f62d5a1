import VAExprsCore

/// `plot_aug`'s figure: real and generated cells in one embedding. Origin is shown by fill
/// (real filled, generated hollow, so greyscale prints keep it) and by colour unless colours
/// show labels; labels by marker shape, in sorted order (numbers by value), so a label keeps
/// its shape and colour from plot to plot. Cells without a label (when others have one) get
/// their own grey cross. Generated cells are drawn first and real cells on top, both partly
/// transparent, so neither cloud hides the other; above `maximumPointsPerOrigin` cells of one
/// origin a seeded subsample is drawn and the title says so. Every point has a tooltip (cell
/// id, label, origin); legend groups `origin:<real|generated>` and `label:<name>` toggle in
/// the HTML page.
public enum AugmentationFigure {
    /// What colours encode.
    public enum ColourBy: String, Sendable, CaseIterable { case origin, label }

    /// Most cells of each origin drawn; above it a seeded subsample (the embedding is computed
    /// on every cell first).
    package static let maximumPointsPerOrigin = 5_000
    /// Marker opacity of real and of generated cells.
    package static let realOpacity = 0.8, generatedOpacity = 0.6
    /// The legend entry of cells without a label.
    package static let unlabelled = "(no label)"

    /// One embedded cell.
    public struct Cell: Sendable {
        /// The cell's id.
        public var id: String
        /// True for a generated cell.
        public var generated: Bool
        /// Its label, if known.
        public var label: String?
        /// A cell.
        package init(id: String, generated: Bool, label: String?) {
            self.id = id
            self.generated = generated
            self.label = label
        }
    }

    /// The figure for cells embedded at `coordinates` (first two columns drawn); `seed` draws
    /// the subsample of an origin with more than `maximumPointsPerOrigin` cells.
    package static func make(
        cells: [Cell], coordinates: DoubleMatrix, axisTitles: [String], method: String,
        colourBy: ColourBy = .origin, width: Double = 720, height: Double = 520, seed: UInt64 = 1
    ) -> Figure {
        precondition(cells.count == coordinates.rows && coordinates.columns >= 2)
        let labels = sortedLabels(cells.compactMap(\.label))
        let hasUnlabelled = !labels.isEmpty && cells.contains { $0.label == nil }
        let colourBy = labels.isEmpty ? .origin : colourBy
        let origins = ["real", "generated"]
        let shapes = MarkerShape.allCases.filter { $0 != .cross }
        // One style per (origin, label) pair.
        var styles: [PointStyle] = []
        var styleIndex: [String: Int] = [:]
        var style = [Int](repeating: 0, count: cells.count)
        for (i, cell) in cells.enumerated() {
            let origin = cell.generated ? "generated" : "real"
            let key = origin + "\u{0}" + (cell.label ?? "\u{1}")
            if let s = styleIndex[key] {
                style[i] = s
                continue
            }
            let labelIndex = cell.label.flatMap { labels.firstIndex(of: $0) }
            let unlabelledCell = hasUnlabelled && cell.label == nil
            let colour =
                unlabelledCell
                ? Colour.grey
                : colourBy == .label ? Colour.categorical(labelIndex ?? 0) : Colour.categorical(cell.generated ? 1 : 0)
            var groups = ["origin:" + origin]
            if let label = cell.label {
                groups.append("label:" + label)
            } else if unlabelledCell {
                groups.append("label:" + unlabelled)
            }
            let shape: MarkerShape = unlabelledCell ? .cross : labelIndex.map { shapes[$0 % shapes.count] } ?? .circle
            styles.append(
                PointStyle(
                    colour: colour, shape: shape, filled: !cell.generated, size: 5.5, groups: groups,
                    opacity: cell.generated ? generatedOpacity : realOpacity))
            styleIndex[key] = styles.count - 1
            style[i] = styles.count - 1
        }
        // A seeded subsample of each origin above the limit.
        var rng = SeededGenerator(seed: seed)
        var drawn: [Int] = []
        var notes: [String] = []
        for generated in [true, false] {
            var rows = cells.indices.filter { cells[$0].generated == generated }
            if rows.count > maximumPointsPerOrigin {
                notes.append(
                    "\(maximumPointsPerOrigin) of \(rows.count) \(generated ? "generated" : "real") cells drawn")
                rows = rng.choose(maximumPointsPerOrigin, of: rows.count).map { rows[$0] }
            }
            // Generated cells first, real cells on top.
            drawn += rows
        }
        let x = drawn.map { coordinates[$0, 0] }, y = drawn.map { coordinates[$0, 1] }
        let tooltips = drawn.map { i in
            "\(cells[i].id)\nlabel: \(cells[i].label ?? "—")\norigin: \(cells[i].generated ? "generated" : "real")"
        }
        let points = PointMark(x: x, y: y, style: drawn.map { style[$0] }, styles: styles, tooltips: tooltips)
        let panel = Panel(
            x: Axis(title: axisTitles.count > 0 ? axisTitles[0] : "\(method) 1", covering: x),
            y: Axis(title: axisTitles.count > 1 ? axisTitles[1] : "\(method) 2", covering: y),
            marks: [.points(points)])
        var legends = [
            Legend(
                title: "Origin",
                entries: origins.enumerated().map { k, origin in
                    LegendEntry(
                        label: origin, colour: colourBy == .origin ? Colour.categorical(k) : .grey, shape: .circle,
                        filled: origin == "real", group: "origin:" + origin)
                })
        ]
        if !labels.isEmpty {
            var entries = labels.enumerated().map { k, label in
                LegendEntry(
                    label: label, colour: colourBy == .label ? Colour.categorical(k) : .grey,
                    shape: shapes[k % shapes.count],
                    filled: true, group: "label:" + label)
            }
            if hasUnlabelled {
                entries.append(
                    LegendEntry(
                        label: unlabelled, colour: .grey, shape: .cross, filled: true, group: "label:" + unlabelled))
            }
            legends.append(Legend(title: "Label", entries: entries))
        }
        let generated = cells.filter(\.generated).count
        let subsampled = notes.isEmpty ? "" : "; " + notes.joined(separator: ", ") + " (seeded subsample)"
        return Figure(
            title: "\(cells.count - generated) real and \(generated) generated cells (\(method)\(subsampled))",
            width: width, height: height,
            panels: [panel], legends: legends)
    }

    /// Labels in a stable order: numbers by value first, then text in code-point order.
    package static func sortedLabels(_ values: [String]) -> [String] {
        Array(Set(values)).sorted { a, b in
            switch (Double(a), Double(b)) {
            case let (x?, y?): return x != y ? x < y : a < b
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a < b
            }
        }
    }

}
