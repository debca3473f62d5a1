import VAExprsCore

/// A labels file: a header `cell,label,...` and one row per cell, matched to cells by id.
package struct LabelTable: Sendable {
    /// The file's column names after the id column.
    package let columnNames: [String]
    /// Cell id → that cell's values, one per column.
    package let rows: [String: [String]]
    /// Cell ids in file order.
    package let cellOrder: [String]
    /// Where it was read from.
    package let path: String

    /// A table from its parts.
    package init(columnNames: [String], rows: [String: [String]], cellOrder: [String], path: String) {
        self.columnNames = columnNames
        self.rows = rows
        self.cellOrder = cellOrder
        self.path = path
    }

    /// Parses a labels file (CSV or TSV, optionally gzipped), or takes an `.h5ad`'s `obs`.
    package static func read(_ path: String) throws -> LabelTable {
        if H5AD.isH5AD(path) { return try H5AD.labelTable(path) }
        let table = try DelimitedText.read(path, expected: "a header 'cell,label' and one row per cell")
        let bytes = table.bytes, lines = table.lines, delimiter = table.delimiter, names = table.header
        guard names.count >= 2 else {
            throw VAExprsError.badData(
                "\(path): the header needs a cell id column and at least one label column, e.g. 'cell,label'")
        }
        var rows: [String: [String]] = [:]
        var order: [String] = []
        for line in lines.dropFirst() {
            let f = DelimitedText.fields(bytes[line.range], delimiter: delimiter)
            guard f.count == names.count else {
                throw VAExprsError.badData(
                    "\(path): line \(line.number) has \(f.count) fields, the header has \(names.count)")
            }
            guard rows[f[0]] == nil else {
                throw VAExprsError.badData("\(path): line \(line.number): cell '\(f[0])' is listed twice")
            }
            rows[f[0]] = Array(f.dropFirst())
            order.append(f[0])
        }
        guard !order.isEmpty else { throw VAExprsError.badData("\(path): no cells (only a header row)") }
        return LabelTable(columnNames: Array(names.dropFirst()), rows: rows, cellOrder: order, path: path)
    }

    /// The values of `columns` for each of `cellIDs`, in that order. Every cell must have a
    /// row and every row must name a known cell (`allowExtraRows` relaxes the latter, for a
    /// labels file shared by a training and a validation matrix).
    /// With the matrix's `geneNames`, labels that name its genes instead of its cells are
    /// reported as a matrix read the wrong way round (`genesInRows`: as it was read).
    package func values(
        columns: [String], for cellIDs: [String], allowExtraRows: Bool = false,
        geneNames: [String]? = nil, genesInRows: Bool = false
    ) throws -> [[String]] {
        let indices = try columns.map { name -> Int in
            guard let i = columnNames.firstIndex(of: name) else {
                throw VAExprsError.usage(
                    """
                    \(parameter: "labelColumns"): \(path) has no column '\(name)'; its columns: \
                    \(columnNames.joined(separator: ", "))
                    """
                )
            }
            return i
        }
        let missing = cellIDs.filter { rows[$0] == nil }
        if !missing.isEmpty, let geneNames {
            let labelledGenes = geneNames.filter { rows[$0] != nil }
            if labelledGenes.count * 2 >= min(cellOrder.count, geneNames.count)
                && labelledGenes.count > cellIDs.count - missing.count
            {
                let fix =
                    genesInRows
                    ? "drop \(parameter: "genesInRows") (the matrix already has cells in rows)"
                    : """
                    did you mean \(parameter: "genesInRows")? (the matrix seems to have genes in rows and cells \
                    in columns)
                    """
                throw VAExprsError.usage(
                    """
                    \(path): the labelled cells are the matrix's \(genesInRows ? "rows" : "columns"), e.g. \
                    \(labelledGenes.prefix(3).map { "'\($0)'" }.joined(separator: ", ")), which were read as \
                    genes; \(fix)
                    """
                )
            }
        }
        if !missing.isEmpty {
            throw VAExprsError.badData(
                """
                \(path): \(missing.count) cell(s) have no label, e.g. \
                \(missing.prefix(3).map { "'\($0)'" }.joined(separator: ", ")); give every cell of the matrix a \
                row
                """
            )
        }
        if !allowExtraRows {
            let known = Set(cellIDs)
            let unknown = cellOrder.filter { !known.contains($0) }
            if !unknown.isEmpty {
                throw VAExprsError.badData(
                    """
                    \(path): \(unknown.count) labelled cell(s) are not in the matrix, e.g. \
                    \(unknown.prefix(3).map { "'\($0)'" }.joined(separator: ", ")); check that the labels belong \
                    to this data
                    """
                )
            }
        }
        return try cellIDs.map { id in
            let row = rows[id]!
            return try indices.map { i in
                guard !row[i].isEmpty else {
                    throw VAExprsError.badData("\(path): cell '\(id)' has an empty '\(columnNames[i])' label")
                }
                return row[i]
            }
        }
    }
}
