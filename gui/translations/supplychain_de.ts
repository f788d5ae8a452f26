<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>AlertLife</name>
    <message>
        <source>Choose an alert to see its life.</source>
        <translation>Wählen Sie einen Alarm, um seinen Verlauf zu sehen.</translation>
    </message>
    <message>
        <source>When (UTC)</source>
        <translation>Wann (UTC)</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Wer</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>notified: {who}</source>
        <translation>benachrichtigt: {who}</translation>
    </message>
    <message>
        <source>confirmed falsified</source>
        <translation>als Fälschung bestätigt</translation>
    </message>
    <message>
        <source>&lt;b&gt;{cause}&lt;/b&gt; · alert {id} · {state}</source>
        <translation>&lt;b&gt;{cause}&lt;/b&gt; · Alarm {id} · {state}</translation>
    </message>
    <message>
        <source>Subject: {subject}</source>
        <translation>Betrifft: {subject}</translation>
    </message>
    <message>
        <source>Raised by {site} at {when} UTC ({age}).</source>
        <translation>Ausgelöst von {site} am {when} UTC ({age}).</translation>
    </message>
    <message>
        <source>Found by this node&apos;s checks; nobody has acted on it yet (the first step signs it into your log).</source>
        <translation>Von den Prüfungen dieses Knotens gefunden; noch niemand hat ihn bearbeitet (der erste Schritt signiert ihn in Ihr Log).</translation>
    </message>
    <message>
        <source>Closing note: {note}</source>
        <translation>Notiz beim Schließen: {note}</translation>
    </message>
    <message>
        <source>Packs: {packs}</source>
        <translation>Packungen: {packs}</translation>
    </message>
    <message>
        <source>Notified: {who}</source>
        <translation>Benachrichtigt: {who}</translation>
    </message>
    <message>
        <source>Reported at {when} UTC.</source>
        <translation>Gemeldet am {when} UTC.</translation>
    </message>
    <message>
        <source>{words} (confirmed falsified at {confirmed} UTC; due {due} UTC)</source>
        <translation>{words} (als Fälschung bestätigt am {confirmed} UTC; fällig {due} UTC)</translation>
    </message>
</context>
<context>
    <name>AlertLine</name>
    <message>
        <source>⚠ Alert {id} raised — see Alerts (Ctrl+7)</source>
        <translation>⚠ Alarm {id} ausgelöst — siehe Alarme (Strg+7)</translation>
    </message>
    <message>
        <source>⚠ Alert {id} is open for this pack — see Alerts (Ctrl+7)</source>
        <translation>⚠ Alarm {id} ist für diese Packung offen — siehe Alarme (Strg+7)</translation>
    </message>
</context>
<context>
    <name>AlertsModel</name>
    <message>
        <source>Alert</source>
        <translation>Alarm</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Report clock</source>
        <translation>Meldefrist</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>Ursache</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>Standort</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>Ausgelöst</translation>
    </message>
    <message>
        <source>Subject / pack</source>
        <translation>Betrifft / Packung</translation>
    </message>
    <message>
        <source>reported {when}</source>
        <translation>gemeldet {when}</translation>
    </message>
</context>
<context>
    <name>AlertsView</name>
    <message>
        <source>National view: every site&apos;s signed alerts this node holds.</source>
        <translation>Nationale Sicht: die signierten Alarme aller Standorte, die dieser Knoten hält.</translation>
    </message>
    <message>
        <source>This site&apos;s alerts: what your scans and checks found, and what you did about it.</source>
        <translation>Die Alarme dieses Standorts: was Ihre Scans und Prüfungen fanden und was Sie daraufhin taten.</translation>
    </message>
    <message>
        <source>Every state</source>
        <translation>Jeder Status</translation>
    </message>
    <message>
        <source>Every cause</source>
        <translation>Jede Ursache</translation>
    </message>
    <message>
        <source>Every site</source>
        <translation>Jeder Standort</translation>
    </message>
    <message>
        <source>Pack, GLN or alert id</source>
        <translation>Packung, GLN oder Alarm-ID</translation>
    </message>
    <message>
        <source>Open only</source>
        <translation>Nur offene</translation>
    </message>
    <message>
        <source>Overdue only</source>
        <translation>Nur überfällige</translation>
    </message>
    <message>
        <source>Investigate</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <source>Mark it as being looked into</source>
        <translation>Als in Prüfung markieren</translation>
    </message>
    <message>
        <source>Close…</source>
        <translation>Schließen…</translation>
    </message>
    <message>
        <source>Close it with its reason and a note</source>
        <translation>Mit Grund und Notiz schließen</translation>
    </message>
    <message>
        <source>Confirm falsified…</source>
        <translation>Fälschung bestätigen…</translation>
    </message>
    <message>
        <source>The pack is falsified: starts the 24 h report clock</source>
        <translation>Die Packung ist gefälscht: startet die 24-h-Meldefrist</translation>
    </message>
    <message>
        <source>Report…</source>
        <translation>Melden…</translation>
    </message>
    <message>
        <source>Report the falsified pack to the regulator and the trading partners</source>
        <translation>Die gefälschte Packung der Behörde und den Handelspartnern melden</translation>
    </message>
    <message>
        <source>Open pack</source>
        <translation>Packung öffnen</translation>
    </message>
    <message>
        <source>Open the pack&apos;s chain in the Inspector</source>
        <translation>Die Kette der Packung in der Inspektion öffnen</translation>
    </message>
    <message>
        <source>Alt+I investigate · Alt+C close · Alt+M confirm falsified · Alt+R report · Alt+O open pack · F5 refresh</source>
        <translation>Alt+I prüfen · Alt+C schließen · Alt+M Fälschung bestätigen · Alt+R melden · Alt+O Packung öffnen · F5 neu laden</translation>
    </message>
    <message>
        <source>{shown} of {total} alerts shown</source>
        <translation>{shown} von {total} Alarmen angezeigt</translation>
    </message>
    <message>
        <source>Alert {id} is being investigated. First step: re-scan the pack and compare it with the text printed on it.</source>
        <translation>Alarm {id} ist in Prüfung. Erster Schritt: die Packung erneut scannen und mit dem aufgedruckten Text vergleichen.</translation>
    </message>
    <message>
        <source>Alert {id} closed: {reason}.</source>
        <translation>Alarm {id} geschlossen: {reason}.</translation>
    </message>
    <message>
        <source>Alert {id} confirmed falsified: {clock}.</source>
        <translation>Alarm {id} als Fälschung bestätigt: {clock}.</translation>
    </message>
    <message>
        <source>Falsification report</source>
        <translation>Fälschungsmeldung</translation>
    </message>
    <message>
        <source>Falsification report (*.pdf *.json *.csv)</source>
        <translation>Fälschungsmeldung (*.pdf *.json *.csv)</translation>
    </message>
    <message>
        <source>Alert {id} reported; notified: {who}.</source>
        <translation>Alarm {id} gemeldet; benachrichtigt: {who}.</translation>
    </message>
    <message>
        <source>Report form saved to {file}.</source>
        <translation>Meldeformular gespeichert unter {file}.</translation>
    </message>
    <message>
        <source>{open} open ({new} new, {investigating} investigating) · {overdue} overdue · {closed} closed</source>
        <translation>{open} offen ({new} neu, {investigating} in Prüfung) · {overdue} überfällig · {closed} geschlossen</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message>
        <source>{time} ago</source>
        <translation>vor {time}</translation>
    </message>
</context>
<context>
    <name>CameraWorker</name>
    <message>
        <source>No camera: {problem}. Use the scanner, or open a picture.</source>
        <translation>Keine Kamera: {problem}. Verwenden Sie den Scanner, oder öffnen Sie ein Bild.</translation>
    </message>
    <message>
        <source>The camera stopped: {problem}</source>
        <translation>Die Kamera hat angehalten: {problem}</translation>
    </message>
</context>
<context>
    <name>CasesTab</name>
    <message>
        <source>Scan a case label first, then the packs to put in it</source>
        <translation>Zuerst das Kartonetikett scannen, dann die Packungen, die hinein sollen</translation>
    </message>
    <message>
        <source>No case scanned yet.</source>
        <translation>Noch kein Karton gescannt.</translation>
    </message>
    <message>
        <source>In the case now</source>
        <translation>Jetzt im Karton</translation>
    </message>
    <message>
        <source>Scanned to pack</source>
        <translation>Zum Einpacken gescannt</translation>
    </message>
    <message>
        <source>Pack into the case</source>
        <translation>In den Karton packen</translation>
    </message>
    <message>
        <source>Unpack the case (everything)</source>
        <translation>Karton auspacken (alles)</translation>
    </message>
    <message>
        <source>A new case label starts a new case; a pack goes into the case on the left when you press Pack.</source>
        <translation>Ein neues Kartonetikett beginnt einen neuen Karton; eine Packung kommt in den Karton links, wenn Sie „In den Karton packen“ drücken.</translation>
    </message>
    <message>
        <source>Scan the case label (SSCC) first.</source>
        <translation>Zuerst das Kartonetikett (SSCC) scannen.</translation>
    </message>
    <message>
        <source>Case {sscc}: {inside} inside, {count} to pack</source>
        <translation>Karton {sscc}: {inside} darin, {count} zum Einpacken</translation>
    </message>
    <message>
        <source>Packed {count} into case {sscc}.</source>
        <translation>{count} in Karton {sscc} gepackt.</translation>
    </message>
    <message>
        <source>Case {sscc} unpacked: its packs are loose again.</source>
        <translation>Karton {sscc} ausgepackt: seine Packungen sind wieder lose.</translation>
    </message>
</context>
<context>
    <name>ChainGraph</name>
    <message>
        <source>Choose a pack to see its hand-overs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{signature} signature {proof} proof</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FORK</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CloseAlertDialog</name>
    <message>
        <source>Close alert {id}</source>
        <translation>Alarm {id} schließen</translation>
    </message>
    <message>
        <source>&lt;b&gt;{cause}&lt;/b&gt; — {subject}</source>
        <translation>&lt;b&gt;{cause}&lt;/b&gt; — {subject}</translation>
    </message>
    <message>
        <source>e.g. &quot;the re-scan read the code correctly&quot;</source>
        <translation>z. B. „der erneute Scan las den Code richtig“</translation>
    </message>
    <message>
        <source>Closing note</source>
        <translation>Notiz beim Schließen</translation>
    </message>
    <message>
        <source>What did you find? (required)</source>
        <translation>Was haben Sie festgestellt? (Pflichtfeld)</translation>
    </message>
    <message>
        <source>Why is this alert closed?</source>
        <translation>Warum wird dieser Alarm geschlossen?</translation>
    </message>
    <message>
        <source>the scanner misread the code (the re-scan or the printed text agrees with the ledger)</source>
        <translation>der Scanner hat den Code falsch gelesen (erneuter Scan oder Aufdruck stimmen mit dem Ledger überein)</translation>
    </message>
    <message>
        <source>our own handling: a step done twice, skipped or out of order</source>
        <translation>unser eigener Ablauf: ein Schritt doppelt, ausgelassen oder in falscher Reihenfolge</translation>
    </message>
    <message>
        <source>a wrong record: a lot or expiry entered wrongly, a late or missing event</source>
        <translation>ein falscher Eintrag: Charge oder Verfall falsch erfasst, ein verspätetes oder fehlendes Ereignis</translation>
    </message>
    <message>
        <source>the pack is falsified: the regulator and the trading partners that handled it are notified now</source>
        <translation>die Packung ist gefälscht: die Behörde und die Handelspartner, die sie hatten, werden jetzt benachrichtigt</translation>
    </message>
    <message>
        <source>This alert was confirmed falsified: it can only be closed as confirmed falsified.</source>
        <translation>Dieser Alarm wurde als Fälschung bestätigt: er kann nur als bestätigte Fälschung geschlossen werden.</translation>
    </message>
    <message>
        <source>Close alert</source>
        <translation>Alarm schließen</translation>
    </message>
    <message>
        <source>Confirm falsified</source>
        <translation>Fälschung bestätigen</translation>
    </message>
    <message>
        <source>Confirm the pack of alert {id} ({subject}) as falsified?

This says the pack is not genuine, in your signed log. It starts the {hours} clock: the report to the regulator and to the trading partners that handled the pack is due within {hours}. Keep the pack in quarantine.

Confirm only after the re-scan and the check of the printed pack.</source>
        <translation>Die Packung von Alarm {id} ({subject}) als Fälschung bestätigen?

Das erklärt die Packung in Ihrem signierten Log für nicht echt. Es startet die Frist von {hours}: die Meldung an die Behörde und an die Handelspartner, die die Packung hatten, ist innerhalb von {hours} fällig. Halten Sie die Packung in Quarantäne.

Bestätigen Sie erst nach dem erneuten Scan und der Prüfung des Aufdrucks.</translation>
    </message>
</context>
<context>
    <name>CommissionView</name>
    <message>
        <source>14-digit GTIN inside your GS1 company prefix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. A2501</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commission lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop commissioning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Product (GTIN):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expiry:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number of packs:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GTIN</source>
        <translation type="unfinished">GTIN</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation type="unfinished">Charge</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation type="unfinished">Verfallsdatum</translation>
    </message>
    <message>
        <source>Packs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished">Status</translation>
    </message>
    <message>
        <source>RECALLED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recall selected lot…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your lots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GS1 DataMatrix (EU and US packs)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QR code (GS1 Digital Link)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The code printed on each pack label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code on the labels:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commission a lot to preview its labels here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save label sheet (PDF)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished">Abbrechen</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a GTIN starting {digits}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill in the product code (GTIN) and the lot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commissioning stopped before any pack was signed; nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped: {done} of {asked} packs of lot {lot} were commissioned (they stay valid). Save their label sheet to print them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commissioned {count} packs of lot {lot}. Save the label sheet to print them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First {shown} labels of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>({count} more on the sheet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save label sheet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation type="unfinished">PDF (*.pdf)</translation>
    </message>
    <message>
        <source>GTIN {gtin} lot {lot}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved {count} labels on {pages} pages to {file}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label sheet cancelled; nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select the lot to recall in the table first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recall lot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why is lot {lot} of {gtin} recalled? (shown to every pharmacy)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recall all {count} packs of lot {lot} (GTIN {gtin})? A recall cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot {lot} recalled. Pharmacies see its packs as SUSPECT.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CreateConsortiumDialog</name>
    <message>
        <source>Create a consortium</source>
        <translation>Ein Konsortium anlegen</translation>
    </message>
    <message>
        <source>e.g. National Medicines Verification Network</source>
        <translation>z. B. Nationales Arzneimittel-Verifikationsnetz</translation>
    </message>
    <message>
        <source>e.g. Medicines Regulatory Agency</source>
        <translation>z. B. Arzneimittelbehörde</translation>
    </message>
    <message>
        <source>13-digit GLN</source>
        <translation>13-stellige GLN</translation>
    </message>
    <message>
        <source>Consortium name:</source>
        <translation>Name des Konsortiums:</translation>
    </message>
    <message>
        <source>Your organisation:</source>
        <translation>Ihre Organisation:</translation>
    </message>
    <message>
        <source>Your GLN:</source>
        <translation>Ihre GLN:</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>Ordner:</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>Passphrase:</translation>
    </message>
    <message>
        <source>Repeat passphrase:</source>
        <translation>Passphrase wiederholen:</translation>
    </message>
    <message>
        <source>Give the consortium and your organisation a name.</source>
        <translation>Geben Sie dem Konsortium und Ihrer Organisation einen Namen.</translation>
    </message>
    <message>
        <source>Choose a passphrase of at least 8 characters; it protects the root key.</source>
        <translation>Wählen Sie eine Passphrase mit mindestens 8 Zeichen; sie schützt den Wurzelschlüssel.</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>Die beiden Passphrasen stimmen nicht überein.</translation>
    </message>
</context>
<context>
    <name>Display</name>
    <message>
        <source>Case {sscc}: {packs} packs inside.</source>
        <translation>Karton {sscc}: {packs} Packungen darin.</translation>
    </message>
    <message>
        <source>Not genuine: {packs}</source>
        <translation>Nicht echt: {packs}</translation>
    </message>
    <message>
        <source>… and {count} more.</source>
        <translation>… und {count} weitere.</translation>
    </message>
</context>
<context>
    <name>ExitButtons</name>
    <message>
        <source>Return to wholesaler</source>
        <translation>An Großhändler zurücksenden</translation>
    </message>
    <message>
        <source>Send the pack back to the wholesaler it came from (it checks it before resale)</source>
        <translation>Die Packung an den Großhändler zurücksenden, von dem sie kam (er prüft sie vor dem Wiederverkauf)</translation>
    </message>
    <message>
        <source>Check return</source>
        <translation>Retoure prüfen</translation>
    </message>
    <message>
        <source>Saleable-returns check: receive the returned pack back into stock if it passes</source>
        <translation>Retourenprüfung: die zurückgesandte Packung wieder in den Bestand aufnehmen, wenn sie besteht</translation>
    </message>
    <message>
        <source>Report stolen…</source>
        <translation>Als gestohlen melden…</translation>
    </message>
    <message>
        <source>The pack was stolen: it leaves the chain</source>
        <translation>Die Packung wurde gestohlen: sie verlässt die Kette</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>The pack leaves this market</source>
        <translation>Die Packung verlässt diesen Markt</translation>
    </message>
    <message>
        <source>Hand over as sample…</source>
        <translation>Als Probe übergeben…</translation>
    </message>
    <message>
        <source>The pack goes to an authority as a sample</source>
        <translation>Die Packung geht als Probe an eine Behörde</translation>
    </message>
    <message>
        <source>Release from quarantine…</source>
        <translation>Aus der Quarantäne freigeben…</translation>
    </message>
    <message>
        <source>The pack was checked and cleared: it is active again (signed release)</source>
        <translation>Die Packung wurde geprüft und freigegeben: Sie ist wieder aktiv (signierte Freigabe)</translation>
    </message>
    <message>
        <source>Report stolen</source>
        <translation>Als gestohlen melden</translation>
    </message>
    <message>
        <source>Report pack {serial} stolen? It leaves the chain for good: wherever it turns up, it will be refused. Details (e.g. the police report), optional:</source>
        <translation>Packung {serial} als gestohlen melden? Sie verlässt die Kette endgültig: wo immer sie auftaucht, wird sie abgelehnt. Angaben (z. B. die Anzeige), freiwillig:</translation>
    </message>
    <message>
        <source>Reported stolen and signed: pack {serial} is out of the chain. If it turns up, it will be refused; if you find it again, destroy it.</source>
        <translation>Als gestohlen gemeldet und signiert: Packung {serial} ist aus der Kette. Taucht sie auf, wird sie abgelehnt; finden Sie sie wieder, vernichten Sie sie.</translation>
    </message>
    <message>
        <source>REPORTED STOLEN</source>
        <translation>ALS GESTOHLEN GEMELDET</translation>
    </message>
    <message>
        <source>Exported and signed: pack {serial} left this market; here it is no longer for sale.</source>
        <translation>Exportiert und signiert: Packung {serial} hat diesen Markt verlassen; hier ist sie nicht mehr verkäuflich.</translation>
    </message>
    <message>
        <source>EXPORTED</source>
        <translation>EXPORTIERT</translation>
    </message>
    <message>
        <source>Handed over as a sample and signed: pack {serial} is no longer for sale.</source>
        <translation>Als Probe übergeben und signiert: Packung {serial} ist nicht mehr verkäuflich.</translation>
    </message>
    <message>
        <source>SAMPLE</source>
        <translation>PROBE</translation>
    </message>
    <message>
        <source>Export out of the market</source>
        <translation>Aus dem Markt exportieren</translation>
    </message>
    <message>
        <source>Export pack {serial} out of this market? Here it will no longer be for sale. Destination, optional:</source>
        <translation>Packung {serial} aus diesem Markt exportieren? Hier ist sie dann nicht mehr verkäuflich. Ziel, freiwillig:</translation>
    </message>
    <message>
        <source>Hand over as a sample</source>
        <translation>Als Probe übergeben</translation>
    </message>
    <message>
        <source>Hand pack {serial} to an authority as a sample? It will no longer be for sale. Authority and reference, optional:</source>
        <translation>Packung {serial} als Probe an eine Behörde übergeben? Sie ist dann nicht mehr verkäuflich. Behörde und Aktenzeichen, freiwillig:</translation>
    </message>
    <message>
        <source>Quarantined and signed (&apos;{reason}&apos;): it cannot be dispensed or shipped until it is released. Put the pack in the quarantine box.</source>
        <translation>In Quarantäne genommen und signiert (&apos;{reason}&apos;): Sie kann nicht abgegeben oder versandt werden, bis sie freigegeben ist. Legen Sie die Packung in die Quarantänebox.</translation>
    </message>
    <message>
        <source>QUARANTINED</source>
        <translation>IN QUARANTÄNE</translation>
    </message>
    <message>
        <source>Reported as &apos;{reason}&apos;. Put the pack in the quarantine box.</source>
        <translation>Gemeldet als &apos;{reason}&apos;. Legen Sie die Packung in die Quarantänebox.</translation>
    </message>
    <message>
        <source>Release from quarantine</source>
        <translation>Aus der Quarantäne freigeben</translation>
    </message>
    <message>
        <source>Why is pack {serial} cleared? (e.g. the re-scan matched, the manufacturer confirmed it)</source>
        <translation>Warum ist Packung {serial} freigegeben? (z. B. der erneute Scan stimmte, der Hersteller hat sie bestätigt)</translation>
    </message>
    <message>
        <source>Released from quarantine and signed: pack {serial} is active again.</source>
        <translation>Aus der Quarantäne freigegeben und signiert: Packung {serial} ist wieder aktiv.</translation>
    </message>
    <message>
        <source>Return pack {serial} to the wholesaler it came from? Put it in the returns box for collection.</source>
        <translation>Packung {serial} an den Großhändler zurücksenden, von dem sie kam? Legen Sie sie zur Abholung in die Retourenkiste.</translation>
    </message>
    <message>
        <source>Return signed: pack {serial} is on its way back to {name}, which checks it before resale.</source>
        <translation>Retoure signiert: Packung {serial} ist auf dem Weg zurück zu {name}, der sie vor dem Wiederverkauf prüft.</translation>
    </message>
    <message>
        <source>RETURNED</source>
        <translation>ZURÜCKGESANDT</translation>
    </message>
    <message>
        <source>Returned {serial} to {name}.</source>
        <translation>{serial} an {name} zurückgesandt.</translation>
    </message>
    <message>
        <source>Received back into saleable stock.</source>
        <translation>Wieder in den verkäuflichen Bestand aufgenommen.</translation>
    </message>
    <message>
        <source>RECEIVED BACK</source>
        <translation>ZURÜCKGENOMMEN</translation>
    </message>
    <message>
        <source>Not received: the pack failed the saleable-returns check ({why}).</source>
        <translation>Nicht angenommen: die Packung hat die Retourenprüfung nicht bestanden ({why}).</translation>
    </message>
    <message>
        <source>NOT RESALEABLE</source>
        <translation>NICHT WIEDERVERKÄUFLICH</translation>
    </message>
</context>
<context>
    <name>FirstRunPage</name>
    <message>
        <source>Welcome to the medicines provenance ledger</source>
        <translation>Willkommen beim Herkunftsnachweis für Arzneimittel</translation>
    </message>
    <message>
        <source>This computer has no node yet. A node is your organisation&apos;s copy of the ledger, with its signing key. Choose how to start:</source>
        <translation>Dieser Computer hat noch keinen Knoten. Ein Knoten ist die Kopie des Ledgers Ihrer Organisation, mit ihrem Signaturschlüssel. Wählen Sie, wie Sie beginnen:</translation>
    </message>
    <message>
        <source>Open the demo network</source>
        <translation>Demo-Netzwerk öffnen</translation>
    </message>
    <message>
        <source>Join a consortium…</source>
        <translation>Einem Konsortium beitreten…</translation>
    </message>
    <message>
        <source>Create a consortium…</source>
        <translation>Ein Konsortium anlegen…</translation>
    </message>
    <message>
        <source>A made-up network of eight organisations — regulator, two manufacturers, two wholesalers, three pharmacies — with sample packs for every verdict. Switch between them to play each role. Never for real data.</source>
        <translation>Ein erfundenes Netzwerk aus acht Organisationen — Aufsichtsbehörde, zwei Hersteller, zwei Großhändler, drei Apotheken — mit Beispielpackungen für jedes Prüfergebnis. Wechseln Sie zwischen ihnen, um jede Rolle zu spielen. Nie für echte Daten.</translation>
    </message>
    <message>
        <source>Your regulator enrolled your organisation with `supplychain consortium enroll`. Pick the node folder it made and type its passphrase.</source>
        <translation>Ihre Aufsichtsbehörde hat Ihre Organisation mit `supplychain consortium enroll` aufgenommen. Wählen Sie den dabei angelegten Knotenordner und geben Sie seine Passphrase ein.</translation>
    </message>
    <message>
        <source>For a regulator starting a new network: creates the consortium root (name) and your own node (organisation name, GLN).</source>
        <translation>Für eine Aufsichtsbehörde, die ein neues Netzwerk startet: legt die Konsortium-Wurzel (Name) und Ihren eigenen Knoten (Name der Organisation, GLN) an.</translation>
    </message>
</context>
<context>
    <name>IncomingTab</name>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>No shipment on its way to you.</source>
        <translation>Keine Lieferung ist zu Ihnen unterwegs.</translation>
    </message>
    <message>
        <source>Overage: why it is not expected</source>
        <translation>Überzählig: warum nicht erwartet</translation>
    </message>
    <message>
        <source>Mark damaged (Ctrl+D)</source>
        <translation>Als beschädigt markieren (Strg+D)</translation>
    </message>
    <message>
        <source>Note for the exceptions (optional), e.g. &quot;wrap torn, case 2 crushed&quot;</source>
        <translation>Notiz zu den Abweichungen (optional), z. B. „Folie gerissen, Karton 2 eingedrückt“</translation>
    </message>
    <message>
        <source>✔ scanned: received · ✖ damaged: not received, recorded · ? missing: not received, recorded as short if the rest of its shipment arrived · overage: recorded</source>
        <translation>✔ gescannt: angenommen · ✖ beschädigt: nicht angenommen, erfasst · ? fehlt: nicht angenommen, als Fehlmenge erfasst, wenn der Rest der Lieferung kam · überzählig: erfasst</translation>
    </message>
    <message>
        <source>Overage: scanned, not in the shipment (recorded when you receive):</source>
        <translation>Überzählig: gescannt, nicht in der Lieferung (wird beim Annehmen erfasst):</translation>
    </message>
    <message>
        <source>case: {arrived} of {count} arrived, {damaged} damaged</source>
        <translation>Karton: {arrived} von {count} angekommen, {damaged} beschädigt</translation>
    </message>
    <message>
        <source>✖ damaged</source>
        <translation>✖ beschädigt</translation>
    </message>
    <message>
        <source>✔ scanned</source>
        <translation>✔ gescannt</translation>
    </message>
    <message>
        <source>Scan each pack or case label as you unpack it</source>
        <translation>Jede Packung oder Kartonetikett beim Auspacken scannen</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>Karton</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Shipped (UTC)</source>
        <translation>Versandt (UTC)</translation>
    </message>
    <message>
        <source>GTIN</source>
        <translation>GTIN</translation>
    </message>
    <message>
        <source>case</source>
        <translation>Karton</translation>
    </message>
    <message>
        <source>Serial</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <source>{count} packs</source>
        <translation>{count} Packungen</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>Charge</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>Verfallsdatum</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>Gescannt</translation>
    </message>
    <message>
        <source>? missing</source>
        <translation>? fehlt</translation>
    </message>
    <message>
        <source>{count} expected packs were not scanned: they stay in transit, recorded as short.</source>
        <translation>{count} erwartete Packungen wurden nicht gescannt: sie bleiben unterwegs, als Fehlmenge erfasst.</translation>
    </message>
    <message>
        <source>{count} damaged packs not received, recorded.</source>
        <translation>{count} beschädigte Packungen nicht angenommen, erfasst.</translation>
    </message>
    <message>
        <source>{count} overage scans recorded.</source>
        <translation>{count} überzählige Scans erfasst.</translation>
    </message>
    <message>
        <source>Receive all scanned</source>
        <translation>Alle gescannten annehmen</translation>
    </message>
    <message>
        <source>Shipment:</source>
        <translation>Lieferung:</translation>
    </message>
    <message>
        <source>All incoming shipments ({count} packs)</source>
        <translation>Alle eingehenden Lieferungen ({count} Packungen)</translation>
    </message>
    <message>
        <source>From {sender}, {time} — {count} packs</source>
        <translation>Von {sender}, {time} — {count} Packungen</translation>
    </message>
    <message>
        <source>Scanned {got} of {expected} · missing {missing} · unexpected {unexpected}</source>
        <translation>Gescannt {got} von {expected} · fehlend {missing} · nicht erwartet {unexpected}</translation>
    </message>
    <message>
        <source>damaged {count}</source>
        <translation>beschädigt {count}</translation>
    </message>
    <message>
        <source>Receive {count}, record exceptions</source>
        <translation>{count} annehmen, Abweichungen erfassen</translation>
    </message>
    <message>
        <source>Receive all scanned ({count})</source>
        <translation>Alle gescannten annehmen ({count})</translation>
    </message>
    <message>
        <source>Received {count} packs into {site}&apos;s custody.</source>
        <translation>{count} Packungen in den Bestand von {site} übernommen.</translation>
    </message>
</context>
<context>
    <name>InspectorView</name>
    <message>
        <source>Commissioned</source>
        <translation type="unfinished">Registriert</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation type="unfinished">Versandt</translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished">Angenommen</translation>
    </message>
    <message>
        <source>Dispensed</source>
        <translation type="unfinished">Abgegeben</translation>
    </message>
    <message>
        <source>Dispense undone</source>
        <translation type="unfinished">Abgabe zurückgenommen</translation>
    </message>
    <message>
        <source>Destroyed</source>
        <translation type="unfinished">Vernichtet</translation>
    </message>
    <message>
        <source>Reported stolen</source>
        <translation>Als gestohlen gemeldet</translation>
    </message>
    <message>
        <source>Exported</source>
        <translation>Exportiert</translation>
    </message>
    <message>
        <source>Handed over as a sample</source>
        <translation>Als Probe übergeben</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>Zurückgesandt</translation>
    </message>
    <message>
        <source>Packed into a case</source>
        <translation>In einen Karton gepackt</translation>
    </message>
    <message>
        <source>Taken out of a case</source>
        <translation>Aus einem Karton genommen</translation>
    </message>
    <message>
        <source>Quarantined</source>
        <translation>In Quarantäne genommen</translation>
    </message>
    <message>
        <source>Released from quarantine</source>
        <translation>Aus der Quarantäne freigegeben</translation>
    </message>
    <message>
        <source>Search: scanned code, GTIN, lot, organisation name or GLN — then Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Regulator view: every signature and Merkle proof re-checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read-only: what your node holds. Signatures and proofs are re-checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serial</source>
        <translation type="unfinished">Seriennummer</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation type="unfinished">Charge</translation>
    </message>
    <message>
        <source>Chain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FORKED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>single</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished">Status</translation>
    </message>
    <message>
        <source>Custodian</source>
        <translation type="unfinished">Im Besitz von</translation>
    </message>
    <message>
        <source>GTIN</source>
        <translation type="unfinished">GTIN</translation>
    </message>
    <message>
        <source>Search for a pack, or open the Alerts tab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When (UTC)</source>
        <translation type="unfinished">Wann (UTC)</translation>
    </message>
    <message>
        <source>By</source>
        <translation type="unfinished">Durch</translation>
    </message>
    <message>
        <source>Step</source>
        <translation type="unfinished">Schritt</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✔ checked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✘ FAILED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inclusion proof</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export PDF report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alert</source>
        <translation type="unfinished">Alarm</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What it means</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an alert to see its evidence: the signed events it names.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open this pack&apos;s chain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation type="unfinished">Alarme</translation>
    </message>
    <message>
        <source>Alerts ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No pack matches that search.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} pack found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} packs found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No problem found: the pack&apos;s history checks out. Held by {holder}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{checked} of {total} events: signature and inclusion proof checked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No alert names this pack.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence: {evidence}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— Event {hash}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>  signed by {author}, log {log} entry {index}, {type} at {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export custody report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation type="unfinished">PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Report saved to {file}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Scan &amp;&amp; verify</source>
        <translation>Scannen &amp;&amp; prüfen</translation>
    </message>
    <message>
        <source>Shipments</source>
        <translation>Lieferungen</translation>
    </message>
    <message>
        <source>Commission &amp;&amp; labels</source>
        <translation>Registrieren &amp;&amp; Etiketten</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>Inspektion</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <source>Cases &amp;&amp; pallets</source>
        <translation>Kartons &amp;&amp; Paletten</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <source>Medicines provenance ledger</source>
        <translation>Herkunftsnachweis für Arzneimittel</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>No node open</source>
        <translation>Kein Knoten geöffnet</translation>
    </message>
    <message>
        <source> Demo: play as </source>
        <translation> Demo: spielen als </translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Open picture of a code…</source>
        <translation>Bild eines Codes öffnen…</translation>
    </message>
    <message>
        <source>Import bundle…</source>
        <translation>Bundle importieren…</translation>
    </message>
    <message>
        <source>Export bundle…</source>
        <translation>Bundle exportieren…</translation>
    </message>
    <message>
        <source>Open the demo network</source>
        <translation>Demo-Netzwerk öffnen</translation>
    </message>
    <message>
        <source>Open a node folder…</source>
        <translation>Knotenordner öffnen…</translation>
    </message>
    <message>
        <source>Create a consortium…</source>
        <translation>Ein Konsortium anlegen…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Scan input</source>
        <translation>Scan-Eingabe</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>F2 scan input · Ctrl+1 Scan &amp; verify · Ctrl+2 Shipments · Ctrl+3 Commission · Ctrl+4 Inspector · Ctrl+5 Network · Ctrl+6 Cases &amp; pallets · Ctrl+7 Alerts · Ctrl+O open picture · Ctrl+I / Ctrl+E import / export bundle · Ctrl+Q quit</source>
        <translation>F2 Scan-Eingabe · Strg+1 Scannen &amp; prüfen · Strg+2 Lieferungen · Strg+3 Registrieren · Strg+4 Inspektion · Strg+5 Netzwerk · Strg+6 Kartons &amp; Paletten · Strg+7 Alarme · Strg+O Bild öffnen · Strg+I / Strg+E Bundle importieren / exportieren · Strg+Q beenden</translation>
    </message>
    <message>
        <source>Open node</source>
        <translation>Knoten öffnen</translation>
    </message>
    <message>
        <source>Passphrase of the node in {home}:</source>
        <translation>Passphrase des Knotens in {home}:</translation>
    </message>
    <message>
        <source>Opening the demo network (its nodes sync with each other)…</source>
        <translation>Das Demo-Netzwerk wird geöffnet (seine Knoten gleichen sich miteinander ab)…</translation>
    </message>
    <message>
        <source>Creating the demo network (eight organisations, a short history)…</source>
        <translation>Das Demo-Netzwerk wird angelegt (acht Organisationen, ein kurzer Verlauf)…</translation>
    </message>
    <message>
        <source>Preparing the demo network…</source>
        <translation>Demo-Netzwerk wird vorbereitet…</translation>
    </message>
    <message>
        <source>Pick your node folder (made by `supplychain consortium enroll`)</source>
        <translation>Wählen Sie Ihren Knotenordner (angelegt von `supplychain consortium enroll`)</translation>
    </message>
    <message>
        <source>{folder} is not a node folder (it has no node.json). Pick the folder given as --home to `supplychain consortium enroll`.</source>
        <translation>{folder} ist kein Knotenordner (er hat keine node.json). Wählen Sie den Ordner, der `supplychain consortium enroll` als --home angegeben wurde.</translation>
    </message>
    <message>
        <source>Join a consortium</source>
        <translation>Einem Konsortium beitreten</translation>
    </message>
    <message>
        <source>Passphrase of this node&apos;s key:</source>
        <translation>Passphrase des Schlüssels dieses Knotens:</translation>
    </message>
    <message>
        <source>Creating the consortium root and your node…</source>
        <translation>Konsortium-Wurzel und Ihr Knoten werden angelegt…</translation>
    </message>
    <message>
        <source>Consortium &apos;{name}&apos; created in {folder}. Keep root.key and its passphrase safe: they enrol every member.</source>
        <translation>Konsortium &apos;{name}&apos; in {folder} angelegt. Bewahren Sie root.key und seine Passphrase sicher auf: damit wird jedes Mitglied aufgenommen.</translation>
    </message>
    <message>
        <source>Opening…</source>
        <translation>Wird geöffnet…</translation>
    </message>
    <message>
        <source>{name} — Medicines provenance ledger</source>
        <translation>{name} — Herkunftsnachweis für Arzneimittel</translation>
    </message>
    <message>
        <source>Export bundle</source>
        <translation>Bundle exportieren</translation>
    </message>
    <message>
        <source>Ledger bundles (*.json)</source>
        <translation>Ledger-Bundles (*.json)</translation>
    </message>
    <message>
        <source>Exported {entries} entries of {logs} logs to {file}. Hand the file to the other members.</source>
        <translation>{entries} Einträge aus {logs} Protokollen nach {file} exportiert. Geben Sie die Datei den anderen Mitgliedern.</translation>
    </message>
    <message>
        <source>Exporting bundle…</source>
        <translation>Bundle wird exportiert…</translation>
    </message>
    <message>
        <source>Import bundle</source>
        <translation>Bundle importieren</translation>
    </message>
    <message>
        <source>Imported {entries} new entries and {members} new member certificates from {file}.</source>
        <translation>{entries} neue Einträge und {members} neue Mitgliedszertifikate aus {file} importiert.</translation>
    </message>
    <message>
        <source>Importing and verifying bundle…</source>
        <translation>Bundle wird importiert und geprüft…</translation>
    </message>
</context>
<context>
    <name>MessageBanner</name>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>NetworkView</name>
    <message>
        <source>active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failing (retried)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BLOCKED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{time} from {peer}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>this node&apos;s own log (always current)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ STALE: never synced with a peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ STALE: no peer has sent this log yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ STALE: {ago}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fresh: {ago}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync pulls every log your peers hold over mutual TLS and keeps only what provably belongs to the signed logs; a peer that lies is blocked and the evidence kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>https://host:port of another member&apos;s node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peer URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add the node at this URL as a peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop syncing with the selected peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unblock…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let a blocked peer be pulled from again (after looking at the evidence)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run one sync round with every active peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>known after the first sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished">Status</translation>
    </message>
    <message>
        <source>Last attempt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last success</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No peers yet: type the address of another member&apos;s node (https://host:port, as given to `supplychain serve --listen`) and press Add peer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished">Abbrechen</translation>
    </message>
    <message>
        <source>Peers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation type="unfinished">Organisation</translation>
    </message>
    <message>
        <source>GLN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latest checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>size {size} · root {root}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Freshness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last synced (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What happened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log / subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Times</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kept for an operator and a third party to check (the signed notes, entries and proofs are stored with each row; `supplychain alerts` prints them). Forks and rejected events are in the Inspector&apos;s Alerts tab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logs held</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync evidence and refused connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline exchange: bundles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No network? Hand over a bundle file (every log held); imports are verified in full, but do not count as a sync.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import bundle…  (Ctrl+I)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export bundle…  (Ctrl+E)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Network</source>
        <translation type="unfinished">Netzwerk</translation>
    </message>
    <message>
        <source>{hours} h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logs held ({logs}; {stale} stale: not synced within {limit})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logs held ({logs}, all fresh)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync evidence and refused connections ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{problem} — for example https://10.0.0.7:8443</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added peer {url}. Press Sync now to pull from it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{url} is already a peer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop syncing with {peer} ({url})? Its evidence, if any, stays listed here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed peer {url}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{what} (log {log}), first seen {time}, {count}×</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no evidence row found)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{peer} ({url}) was blocked because it {reason}.

Evidence kept against it:
{listed}

Unblock it only after someone has looked at this evidence. It will be pulled from again at the next round; the evidence stays. Unblock?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>misbehaved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unblock peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{peer} is active again; its evidence stays listed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contacting peers…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling… (the batch being verified is finished first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{url}: skipped (blocked; see its evidence).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No active peers to sync with: add one above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every peer is blocked: nothing to sync with.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync cancelled: {count} new entries kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync finished: {count} new entries from {peers} peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync finished: {count} new entries from {peers} peers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; {count} failed (see the list under the peers)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OutgoingTab</name>
    <message>
        <source>{name} ({role}, GLN {gln})</source>
        <translation>{name} ({role}, GLN {gln})</translation>
    </message>
    <message>
        <source>0 packs in this shipment</source>
        <translation>0 Packungen in dieser Lieferung</translation>
    </message>
    <message>
        <source>GTIN</source>
        <translation>GTIN</translation>
    </message>
    <message>
        <source>Case {sscc}</source>
        <translation>Karton {sscc}</translation>
    </message>
    <message>
        <source>Serial</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <source>{count} packs</source>
        <translation>{count} Packungen</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>Charge</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>Verfallsdatum</translation>
    </message>
    <message>
        <source>Scanned</source>
        <translation>Gescannt</translation>
    </message>
    <message>
        <source>Refused because</source>
        <translation>Abgelehnt, weil</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>Auswahl entfernen</translation>
    </message>
    <message>
        <source>Start over</source>
        <translation>Neu beginnen</translation>
    </message>
    <message>
        <source>Sign and send shipment</source>
        <translation>Lieferung signieren und versenden</translation>
    </message>
    <message>
        <source>Ship to:</source>
        <translation>Versenden an:</translation>
    </message>
    <message>
        <source>Refused scans (not added):</source>
        <translation>Abgelehnte Scans (nicht hinzugefügt):</translation>
    </message>
    <message>
        <source>Already in this shipment (scanned twice).</source>
        <translation>Schon in dieser Lieferung (doppelt gescannt).</translation>
    </message>
    <message>
        <source>Shipment signed: {count} packs to {name} (event {hash}…). It reaches them at the next sync round, or export a bundle (File &gt; Export bundle).</source>
        <translation>Lieferung signiert: {count} Packungen an {name} (Ereignis {hash}…). Sie erreicht den Empfänger beim nächsten Abgleich, oder exportieren Sie ein Bundle (Datei &gt; Bundle exportieren).</translation>
    </message>
    <message>
        <source>this code</source>
        <translation>dieser Code</translation>
    </message>
    <message>
        <source>Scan each pack or case label into the shipment (F2 goes to Scan &amp; verify)</source>
        <translation>Jede Packung oder Kartonetikett in die Lieferung scannen (F2 wechselt zu Scannen &amp; prüfen)</translation>
    </message>
    <message>
        <source>⚠ Not added — {code}: {reason}</source>
        <translation>⚠ Nicht hinzugefügt — {code}: {reason}</translation>
    </message>
    <message>
        <source>{count} pack in this shipment</source>
        <translation>{count} Packung in dieser Lieferung</translation>
    </message>
    <message>
        <source>{count} packs in this shipment</source>
        <translation>{count} Packungen in dieser Lieferung</translation>
    </message>
    <message>
        <source>Sign and send</source>
        <translation>Signieren und versenden</translation>
    </message>
    <message>
        <source>Sign the hand-over of {count} packs to {name}?</source>
        <translation>Die Übergabe von {count} Packungen an {name} signieren?</translation>
    </message>
</context>
<context>
    <name>PackingView</name>
    <message>
        <source>SSCC of the pallet, e.g. 150123400000009001</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SSCC of the first case; the next count up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pack onto the pallet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop packing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lot</source>
        <translation type="unfinished">Charge</translation>
    </message>
    <message>
        <source>Pallet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cases</source>
        <translation type="unfinished">Kartons</translation>
    </message>
    <message>
        <source>Pack a lot into cases on a pallet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} ({role}, GLN {gln})</source>
        <translation type="unfinished">{name} ({role}, GLN {gln})</translation>
    </message>
    <message>
        <source>Ship the pallet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ship the pallet (one signed event for everything on it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{lot} ({gtin}, {count} packs)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a lot and give the pallet&apos;s and the first case&apos;s SSCC.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packed {packs} packs into {cases} cases on pallet {sscc}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped: {cases} cases ({packs} packs) are packed, each whole; the rest of the lot and the pallet are not. Pack again to go on with new case codes, or unpack the cases.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign and send</source>
        <translation type="unfinished">Signieren und versenden</translation>
    </message>
    <message>
        <source>Sign the hand-over of pallet {sscc} and everything on it to {name}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shipment signed: pallet {sscc} with {packs} packs.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PreviewWidget</name>
    <message>
        <source>Camera off. Choose a camera and press Start camera.</source>
        <translation>Kamera aus. Wählen Sie eine Kamera und drücken Sie „Kamera starten“.</translation>
    </message>
</context>
<context>
    <name>ProgressPanel</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
</context>
<context>
    <name>RescanStep</name>
    <message>
        <source>Scanners garble good codes (Caps Lock, a dropped separator, the wrong keyboard layout, a read cut short). Scan the same pack again now, or type the fields printed next to its code and press Enter. Esc skips.</source>
        <translation>Scanner verfälschen oft gute Codes (Feststelltaste, fehlendes Trennzeichen, falsche Tastaturbelegung, abgeschnittener Scan). Scannen Sie dieselbe Packung jetzt noch einmal oder geben Sie die neben dem Code gedruckten Felder ein und drücken Sie Enter. Esc überspringt.</translation>
    </message>
    <message>
        <source>Printed GTIN / PC</source>
        <translation>Gedruckte GTIN / PC</translation>
    </message>
    <message>
        <source>Serial (SN)</source>
        <translation>Seriennummer (SN)</translation>
    </message>
    <message>
        <source>Lot / Batch</source>
        <translation>Charge (LOT)</translation>
    </message>
    <message>
        <source>Expiry (EXP), e.g. 06/2026</source>
        <translation>Verfall (EXP), z. B. 06/2026</translation>
    </message>
    <message>
        <source>Check (Enter)</source>
        <translation>Prüfen (Enter)</translation>
    </message>
    <message>
        <source>Skip (Esc)</source>
        <translation>Überspringen (Esc)</translation>
    </message>
    <message>
        <source>{verdict}? Scan it again</source>
        <translation>{verdict}? Noch einmal scannen</translation>
    </message>
    <message>
        <source>{fault} Read right, the pack is still {verdict}: its alert stays open; set the pack aside and report it.</source>
        <translation>{fault} Richtig gelesen ist die Packung weiterhin {verdict}: Ihre Warnung bleibt offen; legen Sie die Packung beiseite und melden Sie sie.</translation>
    </message>
    <message>
        <source>{fault} Closed as a scanning error: the alert does not go to the regulator.</source>
        <translation>{fault} Als Scanfehler geschlossen: Die Warnung geht nicht an die Behörde.</translation>
    </message>
    <message>
        <source>Re-scan confirms: {verdict}. The alert stays open: set the pack aside and report it.</source>
        <translation>Zweiter Scan bestätigt: {verdict}. Die Warnung bleibt offen: Legen Sie die Packung beiseite und melden Sie sie.</translation>
    </message>
    <message>
        <source>{fault} The pack itself is fine.</source>
        <translation>{fault} Die Packung selbst ist in Ordnung.</translation>
    </message>
    <message>
        <source>The re-scan could not settle it.</source>
        <translation>Der zweite Scan konnte es nicht klären.</translation>
    </message>
    <message>
        <source>Scanner fault: separators dropped.</source>
        <translation>Scannerfehler: Trennzeichen weggelassen.</translation>
    </message>
    <message>
        <source>Scanner fault: Caps Lock.</source>
        <translation>Scannerfehler: Feststelltaste.</translation>
    </message>
    <message>
        <source>Scanner fault: wrong keyboard layout.</source>
        <translation>Scannerfehler: falsche Tastaturbelegung.</translation>
    </message>
    <message>
        <source>Scanner fault: the read was cut short.</source>
        <translation>Scannerfehler: Scan abgeschnitten.</translation>
    </message>
    <message>
        <source>The scan matches the pack.</source>
        <translation>Der Scan stimmt mit der Packung überein.</translation>
    </message>
</context>
<context>
    <name>ReturnsTab</name>
    <message>
        <source>{name} (GLN {gln})</source>
        <translation>{name} (GLN {gln})</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished">Aktualisieren</translation>
    </message>
    <message>
        <source>No returns on their way to you.</source>
        <translation>Keine Retouren auf dem Weg zu Ihnen.</translation>
    </message>
    <message>
        <source>Scan each returned pack</source>
        <translation>Jede zurückgesandte Packung scannen</translation>
    </message>
    <message>
        <source>Serial</source>
        <translation type="unfinished">Seriennummer</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation type="unfinished">Charge</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>Was zu tun ist</translation>
    </message>
    <message>
        <source>Quarantine and report the packs that should not exist (unknown, dispensed, not the pharmacy&apos;s)</source>
        <translation>Packungen, die es nicht geben dürfte (unbekannt, abgegeben, nicht von dieser Apotheke), unter Quarantäne stellen und melden</translation>
    </message>
    <message>
        <source>Receive accepted packs</source>
        <translation>Angenommene Packungen übernehmen</translation>
    </message>
    <message>
        <source>Returned by:</source>
        <translation>Zurückgesandt von:</translation>
    </message>
    <message>
        <source>Returns on their way to you: {list}.</source>
        <translation>Retouren auf dem Weg zu Ihnen: {list}.</translation>
    </message>
    <message>
        <source>Receive accepted packs ({count})</source>
        <translation>Angenommene Packungen übernehmen ({count})</translation>
    </message>
    <message>
        <source>Received {count} returned pack(s) back into saleable stock.</source>
        <translation>{count} zurückgesandte Packung(en) wieder in den verkäuflichen Bestand aufgenommen.</translation>
    </message>
    <message>
        <source>{count} pack(s) not received: set them aside as the table says.</source>
        <translation>{count} Packung(en) nicht angenommen: legen Sie sie beiseite, wie die Tabelle sagt.</translation>
    </message>
    <message>
        <source>{count} pack(s) quarantined and reported.</source>
        <translation>{count} Packung(en) unter Quarantäne gestellt und gemeldet.</translation>
    </message>
</context>
<context>
    <name>SamplePacksButton</name>
    <message>
        <source>Sample packs</source>
        <translation>Beispielpackungen</translation>
    </message>
    <message>
        <source>Demo network: pick a sample pack to scan (verdicts as at {site}), or print them to scan with a camera</source>
        <translation>Demo-Netzwerk: eine Beispielpackung zum Scannen wählen (Prüfergebnisse wie bei {site}), oder sie ausdrucken und mit einer Kamera scannen</translation>
    </message>
    <message>
        <source>Print sample sheet (PDF)…</source>
        <translation>Beispielbogen drucken (PDF)…</translation>
    </message>
    <message>
        <source>Save sample sheet</source>
        <translation>Beispielbogen speichern</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Saved the sample sheet to {file}: print it and scan the codes with the camera.</source>
        <translation>Beispielbogen unter {file} gespeichert: drucken Sie ihn aus und scannen Sie die Codes mit der Kamera.</translation>
    </message>
    <message>
        <source>sample sheet</source>
        <translation>Beispielbogen</translation>
    </message>
</context>
<context>
    <name>ScanView</name>
    <message>
        <source>This is not a verdict about the pack. Scan again holding the code flat and steady, scan the square 2D code on the pack, or type the code printed under it.</source>
        <translation>Dies ist kein Prüfergebnis über die Packung. Scannen Sie erneut und halten Sie den Code flach und ruhig, scannen Sie den quadratischen 2D-Code auf der Packung, oder tippen Sie den darunter gedruckten Code ein.</translation>
    </message>
    <message>
        <source>Commissioned</source>
        <translation>Registriert</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>Versandt</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Angenommen</translation>
    </message>
    <message>
        <source>Dispensed</source>
        <translation>Abgegeben</translation>
    </message>
    <message>
        <source>Dispense undone</source>
        <translation>Abgabe zurückgenommen</translation>
    </message>
    <message>
        <source>Destroyed</source>
        <translation>Vernichtet</translation>
    </message>
    <message>
        <source>Reported stolen</source>
        <translation>Als gestohlen gemeldet</translation>
    </message>
    <message>
        <source>Exported</source>
        <translation>Exportiert</translation>
    </message>
    <message>
        <source>Handed over as a sample</source>
        <translation>Als Probe übergeben</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>Zurückgesandt</translation>
    </message>
    <message>
        <source>Packed into a case</source>
        <translation>In einen Karton gepackt</translation>
    </message>
    <message>
        <source>Taken out of a case</source>
        <translation>Aus einem Karton genommen</translation>
    </message>
    <message>
        <source>Quarantined</source>
        <translation>In Quarantäne genommen</translation>
    </message>
    <message>
        <source>Released from quarantine</source>
        <translation>Aus der Quarantäne freigegeben</translation>
    </message>
    <message>
        <source>Scan a pack, or type its code and press Enter</source>
        <translation>Packung scannen, oder Code eintippen und Eingabe drücken</translation>
    </message>
    <message>
        <source>Scanner input</source>
        <translation>Scanner-Eingabe</translation>
    </message>
    <message>
        <source>Open picture…</source>
        <translation>Bild öffnen…</translation>
    </message>
    <message>
        <source>Read a code from a photo (Ctrl+O)</source>
        <translation>Einen Code aus einem Foto lesen (Strg+O)</translation>
    </message>
    <message>
        <source>Camera {index}</source>
        <translation>Kamera {index}</translation>
    </message>
    <message>
        <source>Start camera</source>
        <translation>Kamera starten</translation>
    </message>
    <message>
        <source>Start or stop the live camera</source>
        <translation>Live-Kamera starten oder anhalten</translation>
    </message>
    <message>
        <source>Product (GTIN)</source>
        <translation>Produkt (GTIN)</translation>
    </message>
    <message>
        <source>Serial</source>
        <translation>Seriennummer</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>Charge</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>Verfallsdatum</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Custodian</source>
        <translation>Im Besitz von</translation>
    </message>
    <message>
        <source>Pack</source>
        <translation>Packung</translation>
    </message>
    <message>
        <source>Receive</source>
        <translation>Annehmen</translation>
    </message>
    <message>
        <source>Take this pack into our custody</source>
        <translation>Diese Packung in unseren Bestand übernehmen</translation>
    </message>
    <message>
        <source>Dispense</source>
        <translation>Abgeben</translation>
    </message>
    <message>
        <source>Hand the pack to the patient (decommissions it)</source>
        <translation>Die Packung dem Patienten übergeben (nimmt sie außer Verkehr)</translation>
    </message>
    <message>
        <source>Report suspect…</source>
        <translation>Verdacht melden…</translation>
    </message>
    <message>
        <source>Report this pack to the network</source>
        <translation>Diese Packung dem Netzwerk melden</translation>
    </message>
    <message>
        <source>Quarantine</source>
        <translation>Quarantäne</translation>
    </message>
    <message>
        <source>Set the pack aside: nothing moves it until it is released</source>
        <translation>Packung beiseitelegen: Nichts bewegt sie, bis sie freigegeben ist</translation>
    </message>
    <message>
        <source>Undo dispense</source>
        <translation>Abgabe zurücknehmen</translation>
    </message>
    <message>
        <source>Dispensed by mistake? Take it back into stock (same pharmacy, 10 days)</source>
        <translation>Irrtümlich abgegeben? Zurück in den Bestand nehmen (dieselbe Apotheke, 10 Tage)</translation>
    </message>
    <message>
        <source>When (UTC)</source>
        <translation>Wann (UTC)</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Durch</translation>
    </message>
    <message>
        <source>Then</source>
        <translation>Danach</translation>
    </message>
    <message>
        <source>Custody timeline (oldest first):</source>
        <translation>Besitzverlauf (älteste zuerst):</translation>
    </message>
    <message>
        <source>Checking the pack against the ledger…</source>
        <translation>Die Packung wird gegen den Ledger geprüft…</translation>
    </message>
    <message>
        <source>Comparing with the first scan…</source>
        <translation>Vergleiche mit dem ersten Scan…</translation>
    </message>
    <message>
        <source>The code was not read.</source>
        <translation>Der Code wurde nicht gelesen.</translation>
    </message>
    <message>
        <source>Reasons: {reasons}. </source>
        <translation>Gründe: {reasons}. </translation>
    </message>
    <message>
        <source>GTIN {gtin} · Lot {lot} · Expiry {expiry} · Serial {serial}</source>
        <translation>GTIN {gtin} · Charge {lot} · Verfall {expiry} · Seriennr. {serial}</translation>
    </message>
    <message>
        <source>not in the ledger</source>
        <translation>nicht im Ledger</translation>
    </message>
    <message>
        <source>{status} to {recipient}</source>
        <translation>{status} an {recipient}</translation>
    </message>
    <message>
        <source>Case {sscc}</source>
        <translation>Karton {sscc}</translation>
    </message>
    <message>
        <source>Received {serial} into {site}&apos;s custody.</source>
        <translation>{serial} in den Bestand von {site} übernommen.</translation>
    </message>
    <message>
        <source>Dispensed and signed: hand the pack to the patient. It is now out of circulation; a later scan of this code will show it as already dispensed.</source>
        <translation>Abgegeben und signiert: übergeben Sie die Packung dem Patienten. Sie ist nun außer Verkehr; ein späterer Scan dieses Codes zeigt sie als bereits abgegeben.</translation>
    </message>
    <message>
        <source>GTIN {gtin} · Lot {lot} · Serial {serial}</source>
        <translation>GTIN {gtin} · Charge {lot} · Seriennr. {serial}</translation>
    </message>
    <message>
        <source>DISPENSED</source>
        <translation>ABGEGEBEN</translation>
    </message>
    <message>
        <source>Dispensed {serial}.</source>
        <translation>{serial} abgegeben.</translation>
    </message>
    <message>
        <source>Take pack {serial} back into stock? Only do this if it never left the pharmacy.</source>
        <translation>Packung {serial} zurück in den Bestand nehmen? Nur, wenn sie die Apotheke nie verlassen hat.</translation>
    </message>
    <message>
        <source>Dispense of {serial} undone: the pack is back in your stock.</source>
        <translation>Abgabe von {serial} zurückgenommen: die Packung ist wieder in Ihrem Bestand.</translation>
    </message>
    <message>
        <source>Report suspect pack</source>
        <translation>Verdächtige Packung melden</translation>
    </message>
    <message>
        <source>What is wrong with this pack? (e.g. seal broken, print blurred, wrong colour)</source>
        <translation>Was stimmt mit dieser Packung nicht? (z. B. Siegel gebrochen, Druck verschwommen, falsche Farbe)</translation>
    </message>
    <message>
        <source>Report filed and signed. Keep the pack aside until it is cleared.</source>
        <translation>Meldung erstellt und signiert. Legen Sie die Packung beiseite, bis sie freigegeben ist.</translation>
    </message>
    <message>
        <source>Open a picture of a code</source>
        <translation>Bild eines Codes öffnen</translation>
    </message>
    <message>
        <source>Pictures (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)</source>
        <translation>Bilder (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)</translation>
    </message>
    <message>
        <source>Reading {file}…</source>
        <translation>{file} wird gelesen…</translation>
    </message>
    <message>
        <source>The picture holds {count} codes; showing the first.</source>
        <translation>Das Bild enthält {count} Codes; der erste wird gezeigt.</translation>
    </message>
    <message>
        <source>Stop camera</source>
        <translation>Kamera anhalten</translation>
    </message>
    <message>
        <source>Starting the camera…</source>
        <translation>Kamera wird gestartet…</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Wird angehalten…</translation>
    </message>
    <message>
        <source>Camera stopped</source>
        <translation>Kamera angehalten</translation>
    </message>
</context>
<context>
    <name>ShipmentsView</name>
    <message>
        <source>Incoming (goods in)</source>
        <translation>Eingang (Wareneingang)</translation>
    </message>
    <message>
        <source>Outgoing (returns)</source>
        <translation>Ausgang (Retouren)</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>Ausgang</translation>
    </message>
    <message>
        <source>Incoming</source>
        <translation>Eingang</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>Kartons</translation>
    </message>
    <message>
        <source>Returns</source>
        <translation>Retouren</translation>
    </message>
</context>
<context>
    <name>Sounds</name>
    <message>
        <source>Sounds for verdicts</source>
        <translation>Töne für Prüfergebnisse</translation>
    </message>
    <message>
        <source>A click for GENUINE, two falling tones for SUSPECT, three low buzzes for COUNTERFEIT</source>
        <translation>Ein Klick für ECHT, zwei fallende Töne für VERDÄCHTIG, drei tiefe Summtöne für FÄLSCHUNG</translation>
    </message>
</context>
<context>
    <name>SyncRound</name>
    <message>
        <source>{done} of {total} peers done · {new} new entries so far</source>
        <translation>{done} von {total} Peers fertig · bisher {new} neue Einträge</translation>
    </message>
    <message>
        <source>{peer}: {count} new entry ({logs}).</source>
        <translation>{peer}: {count} neuer Eintrag ({logs}).</translation>
    </message>
    <message>
        <source>{peer}: {count} new entries ({logs}).</source>
        <translation>{peer}: {count} neue Einträge ({logs}).</translation>
    </message>
    <message>
        <source>{peer}: up to date, {logs} log(s) checked.</source>
        <translation>{peer}: aktuell, {logs} Protokoll(e) geprüft.</translation>
    </message>
    <message>
        <source>{peer}: cancelled before it finished; batches already verified are kept.</source>
        <translation>{peer}: vor dem Ende abgebrochen; bereits geprüfte Teile bleiben erhalten.</translation>
    </message>
    <message>
        <source>it misbehaved</source>
        <translation>er hat sich fehlerhaft verhalten</translation>
    </message>
    <message>
        <source>{peer}: blocked: {reason}. The evidence is kept; unblock it only after looking at it.</source>
        <translation>{peer}: gesperrt: {reason}. Die Beweise bleiben erhalten; heben Sie die Sperre erst auf, nachdem Sie sie angesehen haben.</translation>
    </message>
    <message>
        <source>{peer} did not answer within {seconds} s; it will be tried again.</source>
        <translation>{peer} hat nicht innerhalb von {seconds} s geantwortet; es wird erneut versucht.</translation>
    </message>
    <message>
        <source>{peer} could not be reached ({problem}); it will be tried again.</source>
        <translation>{peer} war nicht erreichbar ({problem}); es wird erneut versucht.</translation>
    </message>
    <message>
        <source>{peer} sent a bad answer ({error}); it will be tried again.</source>
        <translation>{peer} sandte eine fehlerhafte Antwort ({error}); es wird erneut versucht.</translation>
    </message>
    <message>
        <source>{peer}: the round stopped with an error: {error}</source>
        <translation>{peer}: die Runde brach mit einem Fehler ab: {error}</translation>
    </message>
</context>
<context>
    <name>Verdict</name>
    <message>
        <source>Log vouched for by: not yet witnessed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log vouched for by: {names}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>({missing} of {total} logs not yet witnessed)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VerdictBanner</name>
    <message>
        <source>READY TO SCAN</source>
        <translation>BEREIT ZUM SCANNEN</translation>
    </message>
    <message>
        <source>CHECKING…</source>
        <translation>WIRD GEPRÜFT…</translation>
    </message>
    <message>
        <source>CANNOT READ THIS CODE</source>
        <translation>CODE NICHT LESBAR</translation>
    </message>
    <message>
        <source>DONE</source>
        <translation>ERLEDIGT</translation>
    </message>
    <message>
        <source>Scan a pack with the scanner, the camera, or open a picture.</source>
        <translation>Scannen Sie eine Packung mit dem Scanner oder der Kamera, oder öffnen Sie ein Bild.</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>No screen was found to open the window on. Start the app from a desktop session, or on a server run it under a virtual screen: xvfb-run -a ./dev app. The command line works without a screen: ./dev cli --help</source>
        <translation>Es wurde kein Bildschirm gefunden, um das Fenster zu öffnen. Starten Sie die App aus einer Desktop-Sitzung, oder auf einem Server unter einem virtuellen Bildschirm: xvfb-run -a ./dev app. Die Kommandozeile funktioniert ohne Bildschirm: ./dev cli --help</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Cannot read this code: {problem}</source>
        <translation>Dieser Code ist nicht lesbar: {problem}</translation>
    </message>
    <message>
        <source>This program may not use {file}: check its permissions.</source>
        <translation>Dieses Programm darf {file} nicht verwenden: prüfen Sie die Berechtigungen.</translation>
    </message>
    <message>
        <source>that file</source>
        <translation>diese Datei</translation>
    </message>
    <message>
        <source>{file} was not found.</source>
        <translation>{file} wurde nicht gefunden.</translation>
    </message>
    <message>
        <source>The file was not found.</source>
        <translation>Die Datei wurde nicht gefunden.</translation>
    </message>
    <message>
        <source>The computer refused: {problem} ({file}).</source>
        <translation>Der Computer hat abgelehnt: {problem} ({file}).</translation>
    </message>
    <message>
        <source>file</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Something unexpected went wrong and the last action may not have finished. Details were written to the log ({kind}).</source>
        <translation>Etwas Unerwartetes ist schiefgegangen, und die letzte Aktion wurde vielleicht nicht abgeschlossen. Details stehen im Protokoll ({kind}).</translation>
    </message>
    <message>
        <source>The operation failed.</source>
        <translation>Der Vorgang ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Supply-chain ledger</source>
        <translation>Lieferketten-Ledger</translation>
    </message>
</context>
<context>
    <name>language</name>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>Applies when the app is started again.</source>
        <translation>Gilt beim nächsten Start der App.</translation>
    </message>
    <message>
        <source>Language set to {language}. It applies when you start the app again.</source>
        <translation>Sprache auf {language} gestellt. Sie gilt beim nächsten Start der App.</translation>
    </message>
</context>
<context>
    <name>roles</name>
    <message>
        <source>manufacturer</source>
        <translation>Hersteller</translation>
    </message>
    <message>
        <source>distributor</source>
        <translation>Großhändler</translation>
    </message>
    <message>
        <source>pharmacy</source>
        <translation>Apotheke</translation>
    </message>
    <message>
        <source>regulator</source>
        <translation>Aufsichtsbehörde</translation>
    </message>
</context>
</TS>
