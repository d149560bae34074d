import CPalisadeShims
import RTP

extension Worker {
    /// The packet path: drain one ready socket in batches, check and account each packet, and send
    /// what passes out of the other leg's socket in one sendmmsg per destination socket.
    ///
    /// Everything is reached through `let` pointers of this final class and plain values; nothing
    /// here allocates, retains or takes a lock.
    ///
    /// Per packet, in this order: size and header checks (malformed); source check against the
    /// latch (unknown source) — deferred until after `unprotect` for a transform that
    /// authenticates, since the header proves nothing until then; unprotect with this leg's
    /// transform; latch; statistics; route to the other leg's latched or signalled address (no
    /// route); protect with the other leg's transform; queue for sending.
    func relay(token: UInt64) {
        let slot = Int(token >> 2)
        let side = LegSide(rawValue: UInt8(token >> 1 & 1)) ?? .a
        let onRTCPSocket = token & 1 != 0
        let stream = streams + slot
        guard stream.pointee.inUse else { return }
        let rx = legs + (slot * 2 + Int(side.rawValue))
        let tx = legs + (slot * 2 + Int(side.other.rawValue))
        let fd = onRTCPSocket ? rx.pointee.rtcpFD : rx.pointee.rtpFD
        let slab = self.slab
        let totals = self.totals
        let capacity = UInt32(PacketSlab.receiveCapacity)

        for _ in 0..<Self.batchesPerWakeup {
            let received = palisade_recv_batch(slab.receiveBatch, fd, slab.packets, capacity, UInt32(slab.count),
                                               slab.lengths, slab.addresses, slab.ports)
            guard received > 0 else { return }
            let now = MonotonicClock.nanoseconds()
            // One clock reading per batch, so one conversion to timestamp units per batch.
            let arrival = RTPClock.units(nanoseconds: now, clockRate: stream.pointee.clockRate)
            totals.pointee.receiveBatches &+= 1
            var toRTPCount = 0
            var toRTCPCount = 0

            for i in 0..<Int(received) {
                let packet = slab.packets[i].unsafelyUnwrapped
                var length = Int(slab.lengths[i])
                let source = IPv4Endpoint(address: slab.addresses[i], port: slab.ports[i])
                totals.pointee.receivedPackets &+= 1
                totals.pointee.receivedBytes &+= UInt64(length)

                // 1. What is it, and is it well formed?
                var channel = onRTCPSocket ? MediaChannel.rtcp : MediaChannel.rtp
                if !onRTCPSocket, rx.pointee.rtcpMux, length >= 2,
                   MultiplexedPacketKind.classify(secondOctet: packet[1]) == .rtcp {
                    channel = .rtcp
                }
                let bytes = UnsafeRawBufferPointer(start: packet, count: length)
                var sequence: UInt16 = 0
                var timestamp: UInt32 = 0
                var ssrc: UInt32 = 0
                if channel == .rtp {
                    if rx.pointee.crypto.isSRTP {
                        // SRTP encrypts the padding, and its last byte is the tag's: only the
                        // clear header is checked here; libsrtp2 checks the CSRC and extension
                        // lengths, and the tag proves the rest.
                        guard length >= RTPHeaderView.fixedHeaderLength, packet[0] >> 6 == 2 else {
                            drop(.malformed, rx)
                            continue
                        }
                        sequence = UInt16(packet[2]) << 8 | UInt16(packet[3])
                        timestamp = UInt32(bigEndian: UnsafeRawPointer(packet).loadUnaligned(fromByteOffset: 4,
                                                                                             as: UInt32.self))
                        ssrc = UInt32(bigEndian: UnsafeRawPointer(packet).loadUnaligned(fromByteOffset: 8,
                                                                                        as: UInt32.self))
                    } else {
                        guard let header = try? RTPHeaderView(bytes) else {
                            drop(.malformed, rx)
                            continue
                        }
                        sequence = header.sequenceNumber
                        timestamp = header.timestamp
                        ssrc = header.ssrc
                    }
                } else {
                    guard (try? RTCPHeaderView(bytes)) != nil else {
                        drop(.malformed, rx)
                        continue
                    }
                }

                // 2. Source check (RFC 4961). Muxed RTCP shares the RTP latch: same socket, same peer.
                let separateRTCP = channel == .rtcp && !rx.pointee.rtcpMux
                let latched = separateRTCP ? rx.pointee.latchedRTCP : rx.pointee.latched
                var latchReason: LatchReason?
                if let latched {
                    if latched != source {
                        if rx.pointee.crypto.authenticatesSource, rx.pointee.latching == .learn {
                            // Only a packet that unprotects below may move the latch.
                            latchReason = .relatchedAuthenticated
                        } else {
                            record(slot: slot, LatchRecord(side: side, channel: channel, source: source,
                                                           reason: .rejectedAlreadyLatched, at: now))
                            drop(.unknownSource, rx)
                            continue
                        }
                    }
                } else {
                    let signalled = separateRTCP ? rx.pointee.signalledRTCP : rx.pointee.signalled
                    switch rx.pointee.latching {
                    case .strict:
                        guard signalled == source else {
                            record(slot: slot, LatchRecord(side: side, channel: channel, source: source,
                                                           reason: .rejectedNotSignalled, at: now))
                            drop(.unknownSource, rx)
                            continue
                        }
                        latchReason = .matchedSignalled
                    case .learn:
                        latchReason = signalled == source ? .matchedSignalled : .learnedFromFirstPacket
                    }
                }

                // 3. Unprotect with this leg's context.
                let unprotected = rx.pointee.crypto.unprotect(packet, length: &length, isRTCP: channel == .rtcp)
                if unprotected != .ok {
                    if latchReason == .relatchedAuthenticated {
                        // Another source that did not prove itself: a hijack attempt or a stray.
                        record(slot: slot, LatchRecord(side: side, channel: channel, source: source,
                                                       reason: .rejectedAlreadyLatched, at: now))
                        drop(.unknownSource, rx)
                        continue
                    }
                    switch unprotected {
                    case .authenticationFailed:
                        drop(.authenticationFailure, rx)
                        let failures = rx.pointee.stats.drops.authenticationFailure
                        if failures >= rx.pointee.nextFailureReport {
                            rx.pointee.nextFailureReport = failures > UInt64.max / 10 ? .max : failures &* 10
                            emit(.srtpFailures(stream.pointee.id, side, count: failures))
                        }
                    case .replayed: drop(.replay, rx)
                    case .ok, .malformed: drop(.malformed, rx)
                    }
                    continue
                }

                // 4. Latch, now that the packet is as trustworthy as this leg can make it.
                if let latchReason {
                    if separateRTCP {
                        rx.pointee.latchedRTCP = source
                    } else {
                        rx.pointee.latched = source
                    }
                    record(slot: slot, LatchRecord(side: side, channel: channel, source: source,
                                                   reason: latchReason, at: now))
                }

                // 5. Statistics of the leg it came from.
                if channel == .rtp {
                    rx.pointee.stats.packets &+= 1
                    rx.pointee.stats.bytes &+= UInt64(length)
                    if !rx.pointee.sequence.hasSource || rx.pointee.sequence.ssrc != ssrc {
                        rx.pointee.jitter.restart()
                    }
                    rx.pointee.sequence.update(sequence: sequence, ssrc: ssrc)
                    rx.pointee.jitter.update(arrival: arrival, rtpTimestamp: timestamp)
                } else {
                    rx.pointee.stats.rtcpPackets &+= 1
                    rx.pointee.stats.rtcpBytes &+= UInt64(length)
                }
                rx.pointee.stats.lastPacketNanoseconds = now
                stream.pointee.lastActivity = now
                stream.pointee.timedOut = false

                // 6. Route out of the other leg.
                let toRTCPSocket = channel == .rtcp && !tx.pointee.rtcpMux
                let destination = toRTCPSocket
                    ? (tx.pointee.latchedRTCP ?? tx.pointee.signalledRTCP)
                    : (tx.pointee.latched ?? tx.pointee.signalled)
                guard let destination else {
                    drop(.noRoute, rx)
                    continue
                }

                // 7. Protect with the other leg's context.
                let room = PacketSlab.receiveCapacity + PacketSlab.tailroom
                switch tx.pointee.crypto.protect(packet, length: &length, capacity: room, isRTCP: channel == .rtcp) {
                case .ok: break
                case .replayed:
                    // A plain RTP peer repeated an index: re-sending it under the same key would
                    // reuse keystream, so libsrtp2 refuses.
                    drop(.replay, rx)
                    continue
                case .authenticationFailed, .malformed:
                    drop(.malformed, rx)
                    continue
                }

                let list = toRTCPSocket ? slab.toRTCP : slab.toRTP
                let n = toRTCPSocket ? toRTCPCount : toRTPCount
                list.buffers[n] = packet
                list.lengths[n] = UInt32(length)
                list.addresses[n] = destination.address
                list.ports[n] = destination.port
                if toRTCPSocket { toRTCPCount += 1 } else { toRTPCount += 1 }
            }

            if toRTPCount > 0 { flush(slab.toRTP, count: toRTPCount, fd: tx.pointee.rtpFD, from: rx) }
            if toRTCPCount > 0 { flush(slab.toRTCP, count: toRTCPCount, fd: tx.pointee.rtcpFD, from: rx) }
            if Int(received) < slab.count { return }
        }
    }

    @inline(__always)
    private func flush(_ list: PacketSlab.SendList, count: Int, fd: Int32, from rx: UnsafeMutablePointer<LegState>) {
        // Segmented (UDP GSO) where a batch holds several packets for one destination: a stream's
        // packets are one size, so a busy stream's batch crosses the IP stack once, not per packet.
        let sent = Int(max(0, palisade_send_batch_segmented(slab.sendBatch, fd, list.buffers, list.lengths,
                                                            list.addresses, list.ports, UInt32(count))))
        var bytes: UInt64 = 0
        // Without knowing which datagrams the kernel skipped, attribute bytes of the first `sent`.
        for k in 0..<sent { bytes &+= UInt64(list.lengths[k]) }
        rx.pointee.stats.relayedPackets &+= UInt64(sent)
        rx.pointee.stats.relayedBytes &+= bytes
        totals.pointee.relayedPackets &+= UInt64(sent)
        totals.pointee.relayedBytes &+= bytes
        if sent < count {
            let failed = UInt64(count - sent)
            rx.pointee.stats.drops.sendFailure &+= failed
            totals.pointee.drops.sendFailure &+= failed
        }
    }

    @inline(__always)
    private func drop(_ reason: DropReason, _ rx: UnsafeMutablePointer<LegState>) {
        rx.pointee.stats.drops[reason] &+= 1
        totals.pointee.drops[reason] &+= 1
    }
}
