extension SIPHeaderName {
    /// RFC 3261 §8.1.1: every request carries these; responses all but Max-Forwards.
    static let mandatoryInRequests: [SIPHeaderName] = [.via, .to, .from, .callID, .cseq, .maxForwards]
}

/// Checks an edge device makes before a message reaches the transaction layer.
extension SIPMessage {
    /// Validates the message; the first fault found is thrown, naming header and byte offset.
    ///
    /// Order matters for the answer: version and Request-URI first (505, 416 before 400 — RFC 3261
    /// §8.2.2.1), then mandatory headers (§8.1.1), then each header's grammar, then policy
    /// (Max-Forwards §16.3 item 2, Proxy-Require §16.3 item 4, body type §8.2.3).
    public func validate(limits: SIPLimits = .default) throws(SIPMessageError) {
        // Invariant: every range in `fields` and `startLine` lies inside `bytes`, which outlives `p`.
        let result = bytes.withUnsafeBufferPointer { p -> Result<Void, SIPMessageError> in
            do throws(SIPMessageError) {
                if case .request(let method, let uriRange) = startLine {
                    try validateRequestURI(p, uriRange)
                    try validateHeaders(p, method: method, limits: limits)
                } else {
                    try validateHeaders(p, method: nil, limits: limits)
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    private func validateRequestURI(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(SIPMessageError) {
        guard let uri = SIPGrammar.uri(p, range.lowerBound, range.upperBound) else {
            throw SIPMessageError(.badRequestURI, offset: range.lowerBound)
        }
        switch uri.scheme {
        case .sip, .sips:
            // RFC 3261 §19.1.1 table 1: headers are not allowed in a Request-URI.
            if !uri.headers.isEmpty { throw SIPMessageError(.badRequestURI, offset: range.lowerBound) }
        case .tel:
            break
        case .other:
            throw SIPMessageError(.unsupportedURIScheme, offset: range.lowerBound)
        }
    }

    private func fault(_ f: SIPFault, _ field: SIPHeaderField) -> SIPMessageError {
        SIPMessageError(f.code, header: headerLabel(field), offset: f.index)
    }

    private func headerLabel(_ field: SIPHeaderField) -> String {
        field.name == .other ? ASCII.string(name(of: field)) : field.name.canonicalName
    }

    private func validateHeaders(_ p: UnsafeBufferPointer<UInt8>, method: SIPMethod?, limits: SIPLimits) throws(SIPMessageError) {
        // One pass: note the mandatory headers and check each field's grammar as we meet it.
        var seen: UInt64 = 0
        var cseqField: SIPHeaderField?
        var cseqMethod: Range<Int>?
        var maxForwards: UInt64?
        var contentType: SIPHeaderField?
        // Where name-addr values leave their URI's parts; validation needs only the verdict.
        var uri = SIPGrammar.URI.empty
        for f in fields {
            let bit: UInt64 = f.name == .other ? 0 : 1 << UInt64(f.name.rawValue)
            if f.name.isSingleton, seen & bit != 0 {
                throw SIPMessageError(.duplicateHeader, header: f.name.canonicalName, offset: f.lineStart)
            }
            seen |= bit
            let value = p[f.valueStart..<f.valueEnd]
            switch f.name {
            case .via:
                var i = f.valueStart
                var unbalanced = false
                var count = 0
                while let v = SIPGrammar.nextValue(p, &i, f.valueEnd, unbalanced: &unbalanced) {
                    count += 1
                    if case .failure(let e) = SIPGrammar.via(p, v.lowerBound, v.upperBound) { throw fault(e, f) }
                }
                if unbalanced { throw SIPMessageError(.unbalancedQuote, header: "Via", offset: f.valueStart) }
                if count == 0 { throw SIPMessageError(.badHeaderValue, header: "Via", offset: f.valueStart) }
            case .from, .to:
                if case .failure(let e) = SIPGrammar.nameAddress(p, f.valueStart, f.valueEnd, uri: &uri) { throw fault(e, f) }
            case .contact:
                if value.count == 1, value.first == UInt8(ascii: "*") { break }
                var i = f.valueStart
                var unbalanced = false
                while let v = SIPGrammar.nextValue(p, &i, f.valueEnd, unbalanced: &unbalanced) {
                    if case .failure(let e) = SIPGrammar.nameAddress(p, v.lowerBound, v.upperBound, uri: &uri) { throw fault(e, f) }
                }
                if unbalanced { throw SIPMessageError(.unbalancedQuote, header: "Contact", offset: f.valueStart) }
            case .route, .recordRoute:
                var i = f.valueStart
                var unbalanced = false
                while let v = SIPGrammar.nextValue(p, &i, f.valueEnd, unbalanced: &unbalanced) {
                    if case .failure(let e) = SIPGrammar.nameAddress(p, v.lowerBound, v.upperBound, uri: &uri) { throw fault(e, f) }
                }
            case .callID:
                // callid = word [ "@" word ]: no whitespace inside (a word may hold quotes, §25.1).
                if value.isEmpty || value.contains(where: { ASCII.isLWS($0) }) {
                    throw SIPMessageError(.badHeaderValue, header: "Call-ID", offset: f.valueStart)
                }
            case .cseq:
                switch SIPGrammar.cseq(p, f.valueStart, f.valueEnd) {
                case .success(let c): cseqMethod = c.method
                case .failure(let e): throw fault(e, f)
                }
                cseqField = f
            case .maxForwards:
                guard let mf = ASCII.decimal(value, maxValue: 255) else {
                    throw SIPMessageError(.badScalar, header: "Max-Forwards", offset: f.valueStart)
                }
                maxForwards = mf
            case .expires, .minExpires:
                // delta-seconds fit 32 bits (RFC 3261 §20.19 allows a date in RFC 2543 Expires: refused).
                if ASCII.decimal(value, maxValue: UInt64(UInt32.max)) == nil {
                    throw SIPMessageError(.badScalar, header: f.name.canonicalName, offset: f.valueStart)
                }
            case .contentType:
                contentType = f
            case .date:
                // RFC 3261 §20.17: SIP-date is always in GMT.
                if !(value.count > 4 && ASCII.equalsLowercase(value.suffix(4), " gmt")) {
                    throw SIPMessageError(.badHeaderValue, header: "Date", offset: f.valueStart)
                }
            case .proxyRequire:
                guard method != nil else { break }
                for option in SIPHeaderValuesView(raw: value) {
                    let known = limits.supportedProxyExtensions.contains { $0.utf8.elementsEqual(option.lazy.map(ASCII.lowercased)) }
                    if !known { throw SIPMessageError(.badExtension, header: "Proxy-Require", offset: f.valueStart) }
                }
            default:
                break
            }
        }
        // RFC 3261 §8.1.1: mandatory in every request; responses carry all but Max-Forwards.
        for name in SIPHeaderName.mandatoryInRequests where seen & (1 << UInt64(name.rawValue)) == 0 {
            if method == nil, name == .maxForwards { continue }
            throw SIPMessageError(.missingHeader, header: name.canonicalName, offset: headerEnd)
        }
        if let method, let cseqField, let cseqMethod, SIPMethod(p[cseqMethod]) != method {
            throw SIPMessageError(.cseqMethodMismatch, header: "CSeq", offset: cseqField.valueStart)
        }
        if !bodyRange.isEmpty, contentType == nil {
            throw SIPMessageError(.missingHeader, header: "Content-Type", offset: headerEnd)
        }
        guard let method else { return }
        if maxForwards == 0 {
            throw SIPMessageError(.tooManyHops, header: "Max-Forwards", offset: field(.maxForwards)?.valueStart)
        }
        // Palisade anchors media, so a session body must be one it can read (RFC 3261 §21.4.13).
        switch method {
        case .invite, .ack, .prack, .update:
            if !bodyRange.isEmpty, let contentType {
                let type = p[contentType.valueStart..<contentType.valueEnd]
                let sdp = ASCII.equalsLowercase(type.prefix(15), "application/sdp")
                let multipart = ASCII.equalsLowercase(type.prefix(10), "multipart/")
                if !(sdp || multipart) {
                    throw SIPMessageError(.unsupportedMediaType, header: "Content-Type", offset: contentType.valueStart)
                }
            }
        default:
            break
        }
    }
}
