// Glue role: peer connections. One RTCPeerConnection per handle, with the configuration and the SDP
// layout C++ passes (wasm/browser/rtc_configuration.cpp, shared/media_plan.hpp); the operations the
// signaling machine issues (offer, answer, remote description, rollback, candidates, ICE restart)
// run in order on it, and what the browser says (descriptions, candidates, connection states,
// remote tracks, stats) goes back to C++ as it is. Each connection may carry one data channel of
// C++'s naming (shared/peer_protocol.hpp): text in and out, as it is.
// Screen sharing: our screen goes on a transceiver of its own (sendonly while shared, inactive after,
// reused for the next share: one m-line, however often one shares); C++ renegotiates after each
// change. The peer's camera is the first video m-line; any other video m-line the peer sends on is
// its screen, shown by a video of its own.
// Must not: decide which m-lines exist or their direction, which ICE servers or policy to use,
// when to restart or give up, or what a state means: C++ does (shared/signaling, peer_health).
(function peerConnections({ shared, expose, newHandle, callApp, guard, errorText }) {
  // handle -> { pc: RTCPeerConnection, chain: the Promise its operations queue on, stream: our
  // MediaStream or null, remote: the remote MediaStream, video: its video handle (0 until a track
  // comes), layout: the m-lines C++ chose at creation (plain data, applied at the first offer),
  // channel: its RTCDataChannel or null, screen: our screen's transceiver or null, screenTrack and
  // screenVideo: the peer's screen track and its video handle (null / 0 while it shares none) }
  const peers = new Map();

  // What a transceiver direction means in WebRTC: our track goes out on the line.
  const sends = (line) => line.direction === 'sendrecv' || line.direction === 'sendonly';
  const trackOf = (stream, kind) =>
    (stream ? (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0] : null) || null;
  // The mid of the connection's first video m-line (the camera's), once a description has one.
  function cameraMid(pc) {
    const description = pc.remoteDescription || pc.localDescription;
    const m = description && /\nm=video[^]*?\na=mid:(\S+)/.exec(description.sdp);
    return m ? m[1] : null;
  }
  // A transceiver that carries a screen: ours, or a video one past the camera's m-line.
  const isScreen = (entry, t) =>
    t === entry.screen || (t.receiver.track.kind === 'video' && t.mid !== null && t.mid !== cameraMid(entry.pc));

  // `config`: the RTCConfiguration the app built ({iceServers, iceTransportPolicy}).
  // `layout`: [{kind, direction, encodings}] in m-line order (media_plan::sdp_layout; encodings:
  // RTCRtpEncodingParameters of simulcast layers, or none): a line whose direction
  // sends ('sendrecv') gets our track of its kind now, whichever side offers (an answerer's addTrack
  // transceivers are matched to the offer's m-lines when it is applied, so no track swapping is
  // needed later).
  // `channel`: {label, id, maxBytes} of a data channel negotiated out of band (both sides make it
  // now, so it is in the first offer and opens with the connection), or null for none. Text messages
  // of at most maxBytes go to C++; others are dropped here (logged).
  // `screenHandle`: our screen capture (media_devices.js) while we share, else 0: it goes on at once.
  // `feeds`: a large room's subscription (everyone else's media on one connection): its tracks are
  // shown per person through feeds (media_feeds.js), never as one remote video.
  function createPeer(streamHandle, screenHandle, config, layout, channel, feeds) {
    const h = newHandle();
    let pc;
    try {
      pc = new RTCPeerConnection(config);
    } catch (e) {
      // The app checks every server before handing it over, so this is not expected. Without the
      // servers the call still connects on one network; the policy (privacy) is kept.
      console.error('moim: RTCPeerConnection refused the ICE servers; using none', e);
      pc = new RTCPeerConnection({ iceServers: [], iceTransportPolicy: config && config.iceTransportPolicy });
    }
    const stream = shared.localStream(streamHandle);  // media_devices.js; null: receive only
    const entry = { pc, chain: Promise.resolve(), stream, remote: null, video: 0, layout: Array.isArray(layout) ? layout : [],
      channel: null, screen: null, screenTrack: null, screenVideo: 0, feeds: !!feeds };
    peers.set(h, entry);
    for (const line of entry.layout) {
      const track = sends(line) && trackOf(stream, line.kind);
      if (!track) continue;
      // Simulcast layers (a large room's camera): the encodings go on at once, as they must.
      if (line.encodings && line.encodings.length)
        pc.addTransceiver(track, { direction: 'sendonly', streams: [stream], sendEncodings: line.encodings });
      else pc.addTrack(track, stream);
    }
    // Our screen goes on once the camera's line exists (the first video m-line must be the camera's,
    // also for a person without one): before the first offer, or after the first remote offer.
    entry.pendingScreen = screenHandle || 0;
    const alive = () => peers.get(h) === entry;
    if (channel) openChannel(h, entry, channel, alive);
    // Channels the peer opens (a file transfer's own, file_transfers.js); ours is negotiated, not announced.
    pc.ondatachannel = guard((e) => { if (alive()) shared.incomingChannel(h, e.channel); });
    // Browser callbacks, guarded like every call from C++: nothing they throw escapes.
    pc.onicecandidate = guard((e) => {
      if (alive() && e.candidate && e.candidate.candidate)
        callApp('moimOnIceCandidate', h, e.candidate.candidate, e.candidate.sdpMid || '', e.candidate.sdpMLineIndex || 0);
    });
    pc.onconnectionstatechange = guard(() => {
      if (!alive()) return;
      callApp('moimOnConnectionState', h, pc.connectionState);
      if (entry.feeds) shared.subscriptionState(h, pc.connectionState);  // media_feeds.js
    });
    pc.ontrack = guard((e) => {
      if (!alive() || entry.feeds || isScreen(entry, e.transceiver)) return;  // a screen: syncRemoteScreen
      if (!entry.remote) entry.remote = e.streams[0] || new MediaStream();
      if (!entry.remote.getTracks().includes(e.track)) entry.remote.addTrack(e.track);
      if (entry.video) shared.videoTracksChanged(entry.video);  // video_frames.js
      else {
        entry.video = shared.createVideo(entry.remote, false);
        callApp('moimOnRemoteVideo', h, entry.video);
      }
    });
    return h;
  }
  // Our screen on the connection (a transceiver made once, then reused), or off it (inactive).
  function putScreen(entry, screenHandle) {
    const stream = screenHandle ? shared.localStream(screenHandle) : null;
    const track = trackOf(stream, 'video');
    if (!entry.screen) {
      if (!track) return;
      entry.screen = entry.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      return;
    }
    entry.screen.sender.replaceTrack(track).catch((e) => console.warn('moim: replaceTrack (screen) failed', e));
    if (track && entry.screen.sender.setStreams) entry.screen.sender.setStreams(stream);
    entry.screen.direction = track ? 'sendonly' : 'inactive';
  }
  function attachScreen(h, screenHandle) {
    const entry = peers.get(h);
    if (!entry) return;
    if (!entry.pc.localDescription && !entry.pc.remoteDescription) entry.pendingScreen = screenHandle;  // not negotiated yet
    else putScreen(entry, screenHandle);
  }
  function putPendingScreen(entry) {
    if (!entry.pendingScreen) return;
    putScreen(entry, entry.pendingScreen);
    entry.pendingScreen = 0;
  }
  // After a negotiation settles: the peer's screen, if it sends one now, gets a video of its own; when
  // it stops, the video goes. C++ hears either (moimOnRemoteScreen, video 0 = none).
  function syncRemoteScreen(h, entry) {
    const t = entry.pc.getTransceivers().find((x) => x !== entry.screen && isScreen(entry, x) &&
      (x.currentDirection === 'recvonly' || x.currentDirection === 'sendrecv'));
    const track = t ? t.receiver.track : null;
    if (track === entry.screenTrack) return;
    if (entry.screenVideo) shared.destroyVideo(entry.screenVideo);  // video_frames.js
    entry.screenTrack = track;
    entry.screenVideo = track ? shared.createVideo(new MediaStream([track]), true) : 0;
    callApp('moimOnRemoteScreen', h, entry.screenVideo);
  }
  function openChannel(h, entry, { label, id, maxBytes }, alive) {
    const dc = entry.pc.createDataChannel(label, { negotiated: true, id, ordered: true });
    entry.channel = dc;
    dc.onopen = guard(() => { if (alive()) callApp('moimOnChannelOpen', h); });
    dc.onclose = guard(() => { if (alive()) callApp('moimOnChannelClosed', h); });
    dc.onmessage = guard((e) => {
      if (!alive()) return;
      if (typeof e.data !== 'string') console.warn('moim: binary message on the ' + label + ' channel dropped');
      else if (e.data.length > maxBytes) console.warn('moim: over-long message on the ' + label + ' channel dropped');
      else callApp('moimOnChannelMessage', h, e.data);
    });
  }
  // Text on the connection's data channel; false when it is not open (C++ sends again when it opens).
  function sendOnChannel(h, text) {
    const entry = peers.get(h);
    const dc = entry && entry.channel;
    if (!dc || dc.readyState !== 'open') return false;
    dc.send(text);
    return true;
  }
  // Operations on one connection run strictly in order, as the C++ machine issued them.
  function enqueue(h, what, op) {
    const entry = peers.get(h);
    if (!entry) return;
    entry.chain = entry.chain.then(() => (peers.get(h) === entry ? op(entry) : undefined)).catch((e) => {
      if (peers.get(h) === entry) callApp('moimOnPeerError', h, what + ': ' + errorText(e));
    });
  }
  // iceRestart: fresh ICE credentials on an existing connection (it failed or stays disconnected).
  function createOffer(h, iceRestart) {
    enqueue(h, iceRestart ? 'createOffer(iceRestart)' : 'createOffer', async (entry) => {
      const pc = entry.pc;
      // Every m-line of the layout: one that has no transceiver yet (nothing of ours to send on it)
      // is added with the layout's direction.
      for (const line of entry.layout) {
        if (!pc.getTransceivers().some((t) => t !== entry.screen && t.receiver.track && t.receiver.track.kind === line.kind))
          pc.addTransceiver(line.kind, { direction: line.direction });
      }
      putPendingScreen(entry);  // after the camera's line
      await pc.setLocalDescription(await pc.createOffer(iceRestart ? { iceRestart: true } : undefined));
      if (peers.get(h) === entry) callApp('moimOnLocalDescription', h, 'offer', pc.localDescription.sdp);
    });
  }
  function createAnswer(h) {
    enqueue(h, 'createAnswer', async (entry) => {
      const pc = entry.pc;
      await pc.setLocalDescription(await pc.createAnswer());
      if (peers.get(h) !== entry) return;
      callApp('moimOnLocalDescription', h, 'answer', pc.localDescription.sdp);
      syncRemoteScreen(h, entry);
      applyCameraEncoding(h, entry);
    });
  }
  function setRemoteDescription(h, type, sdp) {
    enqueue(h, 'setRemoteDescription(' + type + ')', async (entry) => {
      const pc = entry.pc;
      await pc.setRemoteDescription({ type, sdp });
      if (type === 'offer') {
        // Answerer: a line of the layout that sends, whose track is not yet on the offered m-line of
        // its kind, gets it now, with the layout's direction.
        for (const t of pc.getTransceivers()) {
          if (isScreen(entry, t)) continue;  // screens are never the camera's line
          const kind = t.receiver.track && t.receiver.track.kind;
          const line = kind && entry.layout.find((l) => l.kind === kind && sends(l));
          const track = line && trackOf(entry.stream, kind);
          if (track && !t.sender.track) {
            await t.sender.replaceTrack(track);
            if (t.sender.setStreams) t.sender.setStreams(entry.stream);
            t.direction = line.direction;
          }
        }
        putPendingScreen(entry);  // not in this offer: C++ offers it after answering (App::feed_machine)
      }
      if (peers.get(h) !== entry) return;
      callApp('moimOnRemoteDescriptionApplied', h);
      if (type === 'answer') {
        syncRemoteScreen(h, entry);
        applyCameraEncoding(h, entry);
      }
    });
  }
  function rollback(h) {
    enqueue(h, 'rollback', (entry) => entry.pc.setLocalDescription({ type: 'rollback' }));
  }
  function addIceCandidate(h, candidate, sdpMid, sdpMLineIndex) {
    // Not through our queue: the machine sends candidates only after the remote description was
    // applied, and RTCPeerConnection orders its own operations, so waiting here would only add
    // a main-thread hop per candidate. A bad candidate is not fatal: log it and go on.
    const entry = peers.get(h);
    if (!entry) return;
    entry.pc.addIceCandidate({ candidate, sdpMid, sdpMLineIndex }).catch((e) => {
      if (peers.get(h) === entry) console.warn('moim: candidate refused', e);
    });
  }
  // Newer ICE servers (fresh TURN credentials) for an existing connection: the next ICE restart
  // gathers with them. The rest of its configuration (certificates, bundle policy) stays as it is,
  // since changing that throws.
  function setPeerConfiguration(h, config) {
    const entry = peers.get(h);
    if (!entry) return;
    try {
      entry.pc.setConfiguration({ ...entry.pc.getConfiguration(), iceServers: config.iceServers,
        iceTransportPolicy: config.iceTransportPolicy });
    } catch (e) {
      console.error('moim: setConfiguration refused; the connection keeps its ICE servers', e);
    }
  }
  // What the connection holds now (for the test surface), or null for a closed handle.
  function peerConfiguration(h) {
    const entry = peers.get(h);
    return entry ? entry.pc.getConfiguration() : null;
  }
  function closePeer(h) {
    const entry = peers.get(h);
    if (!entry) {
      shared.closeFeed(h);  // a feed's handle (media_feeds.js): its video goes, the subscription stays
      return;
    }
    peers.delete(h);
    if (entry.video) shared.destroyVideo(entry.video);  // video_frames.js
    if (entry.screenVideo) shared.destroyVideo(entry.screenVideo);
    if (entry.channel) try { entry.channel.close(); } catch (e) { /* already closed */ }
    shared.peerClosed(h);  // file_transfers.js: its transfers' channels go with the connection
    try { entry.pc.close(); } catch (e) { /* already closed */ }
  }
  // Counters and the selected candidate pair, as the browser reports them; C++ derives the rest
  // (frames shown, the route, whether audio plays, the rates: shared/call_stats.hpp).
  function requestStats(h) {
    const entry = peers.get(h);
    if (!entry) {
      shared.feedStats(h);  // media_feeds.js
      return;
    }
    entry.pc.getStats().then(guard((report) => {
      let frames = 0, screenFrames = 0, audioEnergy = 0, audioLevel = 0;
      const screenId = entry.screenTrack && entry.screenTrack.id;
      // The camera's inbound video is its m-line's (a stopped share's stream may still be reported);
      // where a browser names no mid, every video stream but the screen's.
      const camMid = cameraMid(entry.pc);
      const camera = (s) => (typeof s.mid === 'string' && camMid !== null ? s.mid === camMid : !(screenId && s.trackIdentifier === screenId));
      // The traffic counters, summed over the streams as they are (cumulative; a field no stream has
      // stays undefined): every inbound and outbound RTP stream for bytes and packets, the camera's
      // inbound video for frames, size and codec. RTT: the pair's, and remote-inbound-rtp's.
      const counters = {};
      const add = (key, v) => { if (typeof v === 'number') counters[key] = (counters[key] || 0) + v; };
      report.forEach((s) => {
        if (typeof s.timestamp === 'number') counters.timestamp = Math.max(counters.timestamp || 0, s.timestamp);
        if (s.type === 'outbound-rtp') add('bytesSent', s.bytesSent);
        if (s.type === 'remote-inbound-rtp' && typeof s.roundTripTime === 'number')
          counters.remoteRtt = Math.max(counters.remoteRtt || 0, s.roundTripTime);
        if (s.type !== 'inbound-rtp') return;
        add('bytesReceived', s.bytesReceived);
        add('packetsReceived', s.packetsReceived);
        add('packetsLost', s.packetsLost);
        if (s.kind === 'video' && !camera(s)) {
          if (screenId && s.trackIdentifier === screenId) screenFrames += s.framesDecoded || 0;
        } else if (s.kind === 'video') {
          frames += s.framesDecoded || 0;
          add('framesDecoded', s.framesDecoded);
          counters.frameWidth = s.frameWidth;
          counters.frameHeight = s.frameHeight;
          const codec = s.codecId && report.get(s.codecId);
          counters.codec = codec ? codec.mimeType : undefined;
        }
        if (s.kind === 'audio') { audioEnergy += s.totalAudioEnergy || 0; audioLevel = Math.max(audioLevel, s.audioLevel || 0); }
      });
      if (peers.get(h) === entry)
        shared.sendStats(h, report, entry.remote, { frames, screenFrames, audioEnergy, audioLevel, counters });
    }), () => {});
  }
  // For requestStats here and media_feeds.js: one connection's (or feed's) figures to C++, with
  // whether its sound plays (`remote`'s audio track) and the selected candidate pair (how the peer
  // is reached: the transport's, or where a browser does not name it there, the nominated pair that
  // succeeded; the app derives the route).
  shared.sendStats = (h, report, remote, { frames, screenFrames, audioEnergy, audioLevel, counters }) => {
    const track = remote && remote.getAudioTracks()[0];
    const audioLive = !!track && track.readyState === 'live' && !track.muted;
    let pair = null;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId) || pair;
    });
    if (!pair) {
      report.forEach((s) => {
        if (!pair && s.type === 'candidate-pair' && (s.selected || (s.nominated && s.state === 'succeeded'))) pair = s;
      });
    }
    const local = pair && report.get(pair.localCandidateId), far = pair && report.get(pair.remoteCandidateId);
    const text = (v) => (typeof v === 'string' ? v : '');
    if (pair) counters.pairRtt = pair.currentRoundTripTime;
    callApp('moimOnStats', h, frames, screenFrames, audioEnergy, audioLevel, audioLive, text(local && local.candidateType),
            text(far && far.candidateType), text(local && local.protocol), text(local && local.relayProtocol),
            counters);
  };

  // The encoding of our camera on this connection (C++'s: shared/mesh_encoding.hpp): a bitrate cap
  // and a resolution scale on the camera sender's first encoding. Kept, and applied again after each
  // negotiation (before the first one the sender has no encoding to set). Changes queue on the
  // connection (setParameters refuses a second change while the first is applied).
  function setCameraEncoding(h, maxBitrate, scaleDown) {
    const entry = peers.get(h);
    if (!entry) return;
    entry.cameraEncoding = { maxBitrate: Math.round(maxBitrate), scaleDown };
    applyCameraEncoding(h, entry);
  }
  function applyCameraEncoding(h, entry) {
    if (!entry.cameraEncoding) return;
    entry.encodingChain = (entry.encodingChain || Promise.resolve()).then(async () => {
      if (peers.get(h) !== entry) return;
      const t = entry.pc.getTransceivers().find((x) => !isScreen(entry, x) && x.sender.track && x.sender.track.kind === 'video');
      if (!t) return;  // no camera going out on this connection
      const params = t.sender.getParameters();
      if (!params.encodings || !params.encodings.length) return;  // not negotiated yet: after it
      const e = params.encodings[0], want = entry.cameraEncoding;
      if (e.maxBitrate === want.maxBitrate && e.scaleResolutionDownBy === want.scaleDown) return;
      e.maxBitrate = want.maxBitrate;
      e.scaleResolutionDownBy = want.scaleDown;
      await t.sender.setParameters(params);
    }).catch((e) => console.warn('moim: setParameters (camera) failed', e));
  }

  // How loud each connection's received audio was lately: [handle, level 0..1, ...] flat. The level
  // is the root mean square over the time since the reading before, from the audio receivers'
  // cumulative totalAudioEnergy and totalSamplesDuration (getStats of the receivers only): nothing
  // said between two readings is missed, however late a busy page reads. (The level of the latest
  // packet, RTCRtpSynchronizationSource.audioLevel, was read before: a short sound between two
  // readings went unseen, and a page whose readings fell in step with the sounds missed them for
  // seconds.) Each call returns the last reading done and starts the next; C++ decides who is
  // speaking (shared/speaking.hpp).
  function audioLevels() {
    const out = shared.feedLevels();  // media_feeds.js: a large room's people
    for (const [h, entry] of peers) {
      if (entry.feeds) continue;  // everyone's sound at once: its feeds say whose
      readAudioEnergy(entry, entry.pc.getReceivers().filter((r) => r.track && r.track.kind === 'audio'),
        () => peers.get(h) === entry);
      out.push(h, entry.audioLevel || 0);
    }
    return out;
  }
  // `holder.audioLevel` from `receivers`' energy since the holder's previous reading (one reading at
  // a time; `alive` says whether the holder is still there). (media_feeds.js reads its feeds alike,
  // with one getStats of the subscription for all of them.)
  function readAudioEnergy(holder, receivers, alive) {
    if (holder.energyReading || !receivers.length) return;
    holder.energyReading = true;
    Promise.all(receivers.map((r) => r.getStats())).then(guard((reports) => {
      holder.energyReading = false;
      if (!alive()) return;
      let energy = 0, duration = 0;
      for (const report of reports) {
        report.forEach((s) => {
          if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
          energy += s.totalAudioEnergy || 0;
          duration += s.totalSamplesDuration || 0;
        });
      }
      const last = holder.energyTotals;
      holder.energyTotals = { energy, duration };
      // A receiver gone or new (the totals went back): no level until the next reading.
      if (!last || energy < last.energy || duration <= last.duration) { holder.audioLevel = 0; return; }
      holder.audioLevel = Math.min(1, Math.sqrt((energy - last.energy) / (duration - last.duration)));
    }), () => { holder.energyReading = false; });
  }

  // A track of our stream replaced by one from another device (media_devices.js switchTrack): every
  // connection sending the old one sends the new one, on the same m-line: no renegotiation.
  shared.replaceLocalTrack = (stream, old, fresh) => {
    for (const entry of peers.values()) {
      if (entry.stream !== stream) continue;
      for (const sender of entry.pc.getSenders()) {
        if (!old || sender.track !== old) continue;
        sender.replaceTrack(fresh).catch((e) => console.warn('moim: replaceTrack (device switch) failed', e));
      }
    }
  };

  // For file_transfers.js, which opens a transfer's channel on the connection.
  shared.peerConnection = (h) => { const entry = peers.get(h); return entry ? entry.pc : null; };

  expose('createPeer', createPeer, 0);
  expose('createOffer', createOffer);
  expose('attachScreen', attachScreen);
  expose('restartIce', (h) => createOffer(h, true));
  expose('createAnswer', createAnswer);
  expose('setRemoteDescription', setRemoteDescription);
  expose('rollback', rollback);
  expose('addIceCandidate', addIceCandidate);
  expose('closePeer', closePeer);
  expose('sendOnChannel', sendOnChannel, false);
  expose('requestStats', requestStats);
  expose('audioLevels', audioLevels, []);
  expose('setCameraEncoding', setCameraEncoding);
  expose('setPeerConfiguration', setPeerConfiguration);
  expose('peerConfiguration', peerConfiguration, null);
})(glue);
