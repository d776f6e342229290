<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>MainWindow</name>
    <message>
        <source>Capsule Desktop</source>
        <translation>Capsule Desktop</translation>
    </message>
    <message>
        <source>&amp;Workloads</source>
        <translation>&amp;Workloads</translation>
    </message>
    <message>
        <source>&amp;Runners</source>
        <translation>&amp;Runner</translation>
    </message>
    <message>
        <source>&amp;Files</source>
        <translation>&amp;Dateien</translation>
    </message>
    <message>
        <source>&amp;Terminals</source>
        <translation>&amp;Terminals</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Detach Tab</source>
        <translation>Tab lösen</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Connection Settings</source>
        <translation>Verbindungseinstellungen</translation>
    </message>
    <message>
        <source>Run a local Capsule server (&amp;embedded capsule-local)</source>
        <translation>Einen lokalen Capsule-Server ausführen (&amp;eingebettetes capsule-local)</translation>
    </message>
    <message>
        <source>Connect to a &amp;remote control plane</source>
        <translation>Mit einer &amp;entfernten Steuerungsebene verbinden</translation>
    </message>
    <message>
        <source>Server &amp;URL:</source>
        <translation>Server-&amp;URL:</translation>
    </message>
    <message>
        <source>http://capsule.example.com:8080</source>
        <translation>http://capsule.example.com:8080</translation>
    </message>
    <message>
        <source>API &amp;token:</source>
        <translation>API-&amp;Token:</translation>
    </message>
    <message>
        <source>leave empty to keep the stored token</source>
        <translation>leer lassen, um das gespeicherte Token zu behalten</translation>
    </message>
    <message>
        <source>Request &amp;timeout:</source>
        <translation>&amp;Zeitlimit für Anfragen:</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>&amp;Verify file contents after transfers (sha256)</source>
        <translation>Dateiinhalte nach Übertragungen &amp;prüfen (sha256)</translation>
    </message>
    <message>
        <source>Compare a checksum computed in the runner with one computed here. Sizes are always checked.</source>
        <translation>Eine im Runner berechnete Prüfsumme mit einer hier berechneten vergleichen. Größen werden immer geprüft.</translation>
    </message>
    <message>
        <source>&amp;Give uploads and new folders to the runner&apos;s user (not root)</source>
        <translation>Uploads und neue Ordner dem Benutzer des Runners &amp;geben (nicht root)</translation>
    </message>
    <message>
        <source>The runner&apos;s user creates the new paths (one command per transfer), so it can change them in a terminal. Off: they belong to root, as the host writes them.</source>
        <translation>Der Benutzer des Runners legt die neuen Pfade an (ein Befehl pro Übertragung), damit er sie im Terminal ändern kann. Aus: Sie gehören root, da der Host sie schreibt.</translation>
    </message>
</context>
<context>
    <name>capsule::BodySource</name>
    <message>
        <source>the body&apos;s device is not open for reading</source>
        <translation>die Quelle des Inhalts ist nicht zum Lesen geöffnet</translation>
    </message>
    <message>
        <source>cannot seek to the body&apos;s start: %1</source>
        <translation>der Anfang des Inhalts ist nicht erreichbar: %1</translation>
    </message>
    <message>
        <source>the source ended</source>
        <translation>die Quelle ist zu Ende</translation>
    </message>
    <message>
        <source>cannot read the body after %1 of %2 bytes: %3</source>
        <translation>der Inhalt lässt sich nach %1 von %2 Bytes nicht weiter lesen: %3</translation>
    </message>
</context>
<context>
    <name>capsule::BuildWatchJob</name>
    <message>
        <source>The build of %1 did not finish within %2 s.</source>
        <translation>Der Build von %1 wurde nicht innerhalb von %2 s fertig.</translation>
    </message>
    <message>
        <source>The build of %1 failed or was never started: its leaf layer is %2 and no build is in flight.</source>
        <translation>Der Build von %1 ist fehlgeschlagen oder wurde nie gestartet: Seine oberste Schicht ist %2 und kein Build läuft.</translation>
    </message>
    <message>
        <source>%1 is not built and no build is in flight (its leaf layer is %2).</source>
        <translation>%1 ist nicht gebaut und kein Build läuft (die oberste Schicht ist %2).</translation>
    </message>
    <message>
        <source>The build %1 of %2 (layer %3) was cancelled.</source>
        <translation>Der Build %1 von %2 (Schicht %3) wurde abgebrochen.</translation>
    </message>
    <message>
        <source>The build %1 of %2 (layer %3) failed (exit %4).</source>
        <translation>Der Build %1 von %2 (Schicht %3) ist fehlgeschlagen (Exit %4).</translation>
    </message>
</context>
<context>
    <name>capsule::ExecJob</name>
    <message>
        <source>skipped a malformed line of the exec stream (%1)</source>
        <translation>eine fehlerhafte Zeile des Exec-Streams übersprungen (%1)</translation>
    </message>
</context>
<context>
    <name>capsule::HostResolver</name>
    <message>
        <source>runner_id must not be empty</source>
        <translation>runner_id darf nicht leer sein</translation>
    </message>
</context>
<context>
    <name>capsule::HttpJob</name>
    <message>
        <source>The HTTP layer is gone.</source>
        <translation>Die HTTP-Schicht ist nicht mehr vorhanden.</translation>
    </message>
    <message>
        <source>No host address available.</source>
        <translation>Keine Host-Adresse verfügbar.</translation>
    </message>
    <message>
        <source>Invalid URL &quot;%1&quot;: expected http://host[:port] or https://host[:port]</source>
        <translation>Ungültige URL „%1“: erwartet http://host[:port] oder https://host[:port]</translation>
    </message>
    <message>
        <source>%1 bytes announced</source>
        <translation>%1 Bytes angekündigt</translation>
    </message>
    <message>
        <source>more than %1 bytes</source>
        <translation>mehr als %1 Bytes</translation>
    </message>
    <message>
        <source>the reply is too large (%1; the client reads at most %2 MiB of a reply that is not streamed)</source>
        <translation>die Antwort ist zu groß (%1; der Client liest höchstens %2 MiB einer nicht gestreamten Antwort)</translation>
    </message>
    <message>
        <source>Connection failed: %1</source>
        <translation>Verbindung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Unexpected redirect (HTTP %1) from %2</source>
        <translation>Unerwartete Weiterleitung (HTTP %1) von %2</translation>
    </message>
    <message>
        <source>No data for %1 s (%2 timeout)</source>
        <translation>Seit %1 s keine Daten (Zeitlimit %2)</translation>
    </message>
</context>
<context>
    <name>capsule::Job</name>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
</context>
<context>
    <name>capsule::Parse</name>
    <message>
        <source>The session has no connection.</source>
        <translation>Die Sitzung hat keine Verbindung.</translation>
    </message>
    <message>
        <source>runner_id must not be empty</source>
        <translation>runner_id darf nicht leer sein</translation>
    </message>
</context>
<context>
    <name>capsule::PtyChannel</name>
    <message>
        <source>Opening the terminal of runner %1 timed out.</source>
        <translation>Das Öffnen des Terminals von Runner %1 hat das Zeitlimit überschritten.</translation>
    </message>
    <message>
        <source>Terminal connection lost: no answer from the host for %1 s.</source>
        <translation>Terminalverbindung verloren: seit %1 s keine Antwort vom Host.</translation>
    </message>
    <message>
        <source>Cannot open the terminal of runner %1: %2</source>
        <translation>Das Terminal von Runner %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Terminal connection lost: %1</source>
        <translation>Terminalverbindung verloren: %1</translation>
    </message>
    <message>
        <source>connection closed</source>
        <translation>Verbindung geschlossen</translation>
    </message>
    <message>
        <source>The terminal connection closed (code %1).</source>
        <translation>Die Terminalverbindung wurde geschlossen (Code %1).</translation>
    </message>
    <message>
        <source>The terminal connection closed: %1</source>
        <translation>Die Terminalverbindung wurde geschlossen: %1</translation>
    </message>
    <message>
        <source>PTY channel is not connected.</source>
        <translation>Der PTY-Kanal ist nicht verbunden.</translation>
    </message>
    <message>
        <source>Terminal input buffer is full (%1 bytes waiting); %2 bytes of input were dropped.</source>
        <translation>Der Eingabepuffer des Terminals ist voll (%1 Bytes warten); %2 Bytes Eingabe wurden verworfen.</translation>
    </message>
</context>
<context>
    <name>capsule::RelayJob</name>
    <message>
        <source>The runner session is gone.</source>
        <translation>Die Runner-Sitzung ist nicht mehr vorhanden.</translation>
    </message>
    <message>
        <source>Both runner paths must be absolute and name a file or folder: %1, %2</source>
        <translation>Beide Runner-Pfade müssen absolut sein und eine Datei oder einen Ordner benennen: %1, %2</translation>
    </message>
    <message>
        <source>%1 cannot be copied into itself.</source>
        <translation>%1 kann nicht in sich selbst kopiert werden.</translation>
    </message>
    <message>
        <source>%1 does not exist on the source runner.</source>
        <translation>%1 existiert auf dem Quell-Runner nicht.</translation>
    </message>
    <message>
        <source>%1 already exists on the destination runner.</source>
        <translation>%1 existiert bereits auf dem Ziel-Runner.</translation>
    </message>
    <message>
        <source>%1 is a folder.</source>
        <translation>%1 ist ein Ordner.</translation>
    </message>
    <message>
        <source>%1 is a file.</source>
        <translation>%1 ist eine Datei.</translation>
    </message>
    <message>
        <source>The source runner sent %1 of %2 bytes of %3.</source>
        <translation>Der Quell-Runner hat %1 von %2 Bytes von %3 gesendet.</translation>
    </message>
    <message>
        <source>The destination stored %1 of %2 bytes.</source>
        <translation>Das Ziel hat %1 von %2 Bytes gespeichert.</translation>
    </message>
    <message>
        <source>Content check failed for %1: sha256 %2 in the source runner, %3 in the destination.</source>
        <translation>Inhaltsprüfung für %1 fehlgeschlagen: sha256 %2 im Quell-Runner, %3 im Ziel.</translation>
    </message>
    <message>
        <source>Cannot move %1 into place: %2</source>
        <translation>%1 kann nicht an seinen Platz verschoben werden: %2</translation>
    </message>
</context>
<context>
    <name>capsule::RemoteHashJob</name>
    <message>
        <source>The runner session is gone.</source>
        <translation>Die Runner-Sitzung ist nicht mehr vorhanden.</translation>
    </message>
    <message>
        <source>sha256sum failed in the runner: %1</source>
        <translation>sha256sum ist im Runner fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>sha256sum printed %1 lines for %2 files.</source>
        <translation>sha256sum hat %1 Zeilen für %2 Dateien ausgegeben.</translation>
    </message>
</context>
<context>
    <name>capsule::RunnerSession</name>
    <message>
        <source>The session has no connection.</source>
        <translation>Die Sitzung hat keine Verbindung.</translation>
    </message>
    <message>
        <source>The command to run must not be empty.</source>
        <translation>Der auszuführende Befehl darf nicht leer sein.</translation>
    </message>
    <message>
        <source>The runner&apos;s user cannot create these paths: %1</source>
        <translation>Der Benutzer des Runners kann diese Pfade nicht anlegen: %1</translation>
    </message>
    <message>
        <source>exit code %1</source>
        <translation>Exit-Code %1</translation>
    </message>
</context>
<context>
    <name>capsule::StreamUploadJob</name>
    <message>
        <source>Cannot read the upload body: %1</source>
        <translation>Der Inhalt des Uploads lässt sich nicht lesen: %1</translation>
    </message>
    <message>
        <source>TLS is not available (no TLS backend could be loaded)</source>
        <translation>TLS ist nicht verfügbar (kein TLS-Backend ließ sich laden)</translation>
    </message>
    <message>
        <source>TLS is not available in this build</source>
        <translation>TLS ist in diesem Build nicht verfügbar</translation>
    </message>
    <message>
        <source>HTTP %1 before the whole body was sent (%2 of %3 bytes)</source>
        <translation>HTTP %1, bevor der ganze Inhalt gesendet war (%2 von %3 Bytes)</translation>
    </message>
    <message>
        <source>the server closed the connection after %1 of %2 bytes of the upload body, without a reply</source>
        <translation>der Server hat die Verbindung nach %1 von %2 Bytes des Uploads ohne Antwort geschlossen</translation>
    </message>
    <message>
        <source>the server closed the connection without a reply (the whole body of %1 bytes was sent)</source>
        <translation>der Server hat die Verbindung ohne Antwort geschlossen (der ganze Inhalt von %1 Bytes war gesendet)</translation>
    </message>
    <message>
        <source>%1 (after %2 of %3 bytes of the upload body)</source>
        <translation>%1 (nach %2 von %3 Bytes des Uploads)</translation>
    </message>
    <message>
        <source>The size of the upload body must be known.</source>
        <translation>Die Größe des Upload-Inhalts muss bekannt sein.</translation>
    </message>
</context>
<context>
    <name>capsule::TransferJob</name>
    <message>
        <source>The runner session is gone.</source>
        <translation>Die Runner-Sitzung ist nicht mehr vorhanden.</translation>
    </message>
    <message>
        <source>Both a local and a remote path are needed.</source>
        <translation>Ein lokaler und ein entfernter Pfad werden benötigt.</translation>
    </message>
    <message>
        <source>The runner path must be absolute: %1</source>
        <translation>Der Runner-Pfad muss absolut sein: %1</translation>
    </message>
    <message>
        <source>The runner path must name a file or folder.</source>
        <translation>Der Runner-Pfad muss eine Datei oder einen Ordner benennen.</translation>
    </message>
    <message>
        <source>Local file or folder not found: %1</source>
        <translation>Lokale Datei oder lokaler Ordner nicht gefunden: %1</translation>
    </message>
    <message>
        <source>Cannot read %1</source>
        <translation>%1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>%1 already exists on the runner.</source>
        <translation>%1 existiert bereits auf dem Runner.</translation>
    </message>
    <message>
        <source>%1 is a folder on the runner.</source>
        <translation>%1 ist auf dem Runner ein Ordner.</translation>
    </message>
    <message>
        <source>%1 is a file on the runner.</source>
        <translation>%1 ist auf dem Runner eine Datei.</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1 existiert bereits.</translation>
    </message>
    <message>
        <source>Local folder not found: %1</source>
        <translation>Lokaler Ordner nicht gefunden: %1</translation>
    </message>
    <message>
        <source>%1 does not exist on the runner.</source>
        <translation>%1 existiert auf dem Runner nicht.</translation>
    </message>
    <message>
        <source>%1 exists and is not a %2.</source>
        <translation>%1 existiert und ist kein(e) %2.</translation>
    </message>
    <message>
        <source>folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>file</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Cannot create the folder %1</source>
        <translation>Der Ordner %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>The runner stored %1 of %2 bytes of %3.</source>
        <translation>Der Runner hat %1 von %2 Bytes von %3 gespeichert.</translation>
    </message>
    <message>
        <source>%1 changed while it was being uploaded.</source>
        <translation>%1 hat sich während des Hochladens geändert.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>The runner ignored the byte range for %1 (HTTP %2).</source>
        <translation>Der Runner hat den Bytebereich für %1 ignoriert (HTTP %2).</translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <source>The runner sent no data for %1.</source>
        <translation>Der Runner hat keine Daten für %1 gesendet.</translation>
    </message>
    <message>
        <source>Size check failed for %1: expected %2 bytes, found %3.</source>
        <translation>Größenprüfung für %1 fehlgeschlagen: %2 Bytes erwartet, %3 gefunden.</translation>
    </message>
    <message>
        <source>Could not hash every local file.</source>
        <translation>Nicht jede lokale Datei konnte gehasht werden.</translation>
    </message>
    <message>
        <source>Content check failed for %1: sha256 %2 here, %3 in the runner.</source>
        <translation>Inhaltsprüfung für %1 fehlgeschlagen: sha256 %2 hier, %3 im Runner.</translation>
    </message>
    <message>
        <source>Cannot replace %1</source>
        <translation>%1 kann nicht ersetzt werden</translation>
    </message>
    <message>
        <source>Cannot rename %1 to %2</source>
        <translation>%1 kann nicht in %2 umbenannt werden</translation>
    </message>
    <message>
        <source>Cannot move %1 into place in the runner: %2</source>
        <translation>%1 kann im Runner nicht an seinen Platz verschoben werden: %2</translation>
    </message>
</context>
<context>
    <name>capsule::TransferQueue</name>
    <message>
        <source>The runner session is gone.</source>
        <translation>Die Runner-Sitzung ist nicht mehr vorhanden.</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
</context>
<context>
    <name>capsule::app</name>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>base image: </source>
        <translation>Basis-Image: </translation>
    </message>
    <message>
        <source>layers: </source>
        <translation>Schichten: </translation>
    </message>
    <message>
        <source>layer %1: %2 change</source>
        <translation>Schicht %1: %2 geändert</translation>
    </message>
    <message>
        <source>start command: </source>
        <translation>Startbefehl: </translation>
    </message>
    <message>
        <source>queued</source>
        <translation>in der Warteschlange</translation>
    </message>
    <message>
        <source>waiting for its parent layer</source>
        <translation>wartet auf die übergeordnete Schicht</translation>
    </message>
    <message>
        <source>building</source>
        <translation>wird gebaut</translation>
    </message>
    <message>
        <source>built</source>
        <translation>gebaut</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>not built</source>
        <translation>nicht gebaut</translation>
    </message>
    <message>
        <source>inactive</source>
        <translation>inaktiv</translation>
    </message>
</context>
<context>
    <name>capsule::app::AboutDialog</name>
    <message>
        <source>About Capsule Desktop</source>
        <translation>Über Capsule Desktop</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Capsule Desktop %1&lt;/h3&gt;&lt;p&gt;A desktop client for Capsule sandboxes: workloads, runners, files and terminals.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Capsule Desktop %1&lt;/h3&gt;&lt;p&gt;Ein Desktop-Client für Capsule-Sandboxes: Workloads, Runner, Dateien und Terminals.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Copy the versions to the clipboard (for a bug report)</source>
        <translation>Die Versionen in die Zwischenablage kopieren (für einen Fehlerbericht)</translation>
    </message>
    <message>
        <source>Server: not connected</source>
        <translation>Server: nicht verbunden</translation>
    </message>
    <message>
        <source>Server: %1 (%2)</source>
        <translation>Server: %1 (%2)</translation>
    </message>
    <message>
        <source>embedded</source>
        <translation>eingebettet</translation>
    </message>
    <message>
        <source>remote</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <source>Server version: asking...</source>
        <translation>Serverversion: wird abgefragt...</translation>
    </message>
    <message>
        <source>Server version: not reported (an upstream Capsule server)</source>
        <translation>Serverversion: nicht gemeldet (ein Upstream-Capsule-Server)</translation>
    </message>
    <message>
        <source>Server version: %1</source>
        <translation>Serverversion: %1</translation>
    </message>
    <message>
        <source>Server not reachable: %1</source>
        <translation>Server nicht erreichbar: %1</translation>
    </message>
</context>
<context>
    <name>capsule::app::ArkExtractTarget</name>
    <message>
        <source>%1 is not a local folder.</source>
        <translation>%1 ist kein lokaler Ordner.</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 ist kein Ordner.</translation>
    </message>
</context>
<context>
    <name>capsule::app::BasicsPage</name>
    <message>
        <source>Name and image</source>
        <translation>Name und Image</translation>
    </message>
    <message>
        <source>Name the workload and choose what its runners start from. Everything else has a default; you can skip ahead at any time.</source>
        <translation>Benennen Sie den Workload und wählen Sie, womit seine Runner starten. Alles andere hat einen Standardwert; Sie können jederzeit vorspringen.</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>The workload&apos;s name (its config id): 3 to 64 lowercase letters, digits and dashes. Required; no default.</source>
        <translation>Der Name des Workloads (seine Config-ID): 3 bis 64 Kleinbuchstaben, Ziffern und Bindestriche. Pflichtfeld; kein Standardwert.</translation>
    </message>
    <message>
        <source>(none: the server&apos;s default system)</source>
        <translation>(keines: das Standardsystem des Servers)</translation>
    </message>
    <message>
        <source>Base &amp;image:</source>
        <translation>Basis-&amp;Image:</translation>
    </message>
    <message>
        <source>Container image the runners start from (base_image). It adds the implicit _platform layer. Default: none (then at least one layer is needed).</source>
        <translation>Container-Image, mit dem die Runner starten (base_image). Es fügt die implizite Schicht _platform hinzu. Standard: keines (dann wird mindestens eine Schicht benötigt).</translation>
    </message>
    <message>
        <source>default (m: 4 vCPU, 4 GiB memory)</source>
        <translation>Standard (m: 4 vCPU, 4 GiB Speicher)</translation>
    </message>
    <message>
        <source>xs: 1 vCPU, 512 MiB memory</source>
        <translation>xs: 1 vCPU, 512 MiB Speicher</translation>
    </message>
    <message>
        <source>s: 1 vCPU, 1 GiB memory</source>
        <translation>s: 1 vCPU, 1 GiB Speicher</translation>
    </message>
    <message>
        <source>m: 4 vCPU, 4 GiB memory</source>
        <translation>m: 4 vCPU, 4 GiB Speicher</translation>
    </message>
    <message>
        <source>l: 8 vCPU, 8 GiB memory</source>
        <translation>l: 8 vCPU, 8 GiB Speicher</translation>
    </message>
    <message>
        <source>xl: 16 vCPU, 16 GiB memory</source>
        <translation>xl: 16 vCPU, 16 GiB Speicher</translation>
    </message>
    <message>
        <source>&amp;Tier:</source>
        <translation>&amp;Stufe:</translation>
    </message>
    <message>
        <source>Size of each runner (config.tier). Default: m (4 vCPU, 4 GiB). The tier is part of the workload key and cannot change once the workload exists.</source>
        <translation>Größe jedes Runners (config.tier). Standard: m (4 vCPU, 4 GiB). Die Stufe ist Teil des Workload-Schlüssels und kann sich nicht mehr ändern, sobald der Workload existiert.</translation>
    </message>
    <message>
        <source>An image name has no spaces.</source>
        <translation>Ein Image-Name enthält keine Leerzeichen.</translation>
    </message>
    <message>
        <source>The workload needs a name.</source>
        <translation>Der Workload braucht einen Namen.</translation>
    </message>
</context>
<context>
    <name>capsule::app::BookmarksButton</name>
    <message>
        <source>Bookmarks</source>
        <translation>Lesezeichen</translation>
    </message>
    <message>
        <source>Folders bookmarked for this workload</source>
        <translation>Lesezeichen-Ordner dieses Workloads</translation>
    </message>
    <message>
        <source>Remove Bookmark for %1</source>
        <translation>Lesezeichen für %1 entfernen</translation>
    </message>
    <message>
        <source>Bookmark %1</source>
        <translation>Lesezeichen für %1 setzen</translation>
    </message>
</context>
<context>
    <name>capsule::app::ConflictDialog</name>
    <message>
        <source>folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>size unknown</source>
        <translation>Größe unbekannt</translation>
    </message>
    <message>
        <source>time unknown</source>
        <translation>Zeit unbekannt</translation>
    </message>
    <message>
        <source>File exists</source>
        <translation>Datei existiert</translation>
    </message>
    <message>
        <source>on the runner</source>
        <translation>auf dem Runner</translation>
    </message>
    <message>
        <source>on this computer</source>
        <translation>auf diesem Computer</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; already exists %2 in %3.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; existiert bereits %2 in %3.</translation>
    </message>
    <message>
        <source>Existing: %1
New: %2</source>
        <translation>Vorhanden: %1
Neu: %2</translation>
    </message>
    <message numerus="yes">
        <source>Apply to all %n remaining conflict(s)</source>
        <translation>
            <numerusform>Auf den %n verbleibenden Konflikt anwenden</numerusform>
            <numerusform>Auf alle %n verbleibenden Konflikte anwenden</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Overwrite</source>
        <translation>Über&amp;schreiben</translation>
    </message>
    <message>
        <source>Overwrite if &amp;newer</source>
        <translation>Überschreiben, wenn &amp;neuer</translation>
    </message>
    <message>
        <source>&amp;Keep both</source>
        <translation>&amp;Beide behalten</translation>
    </message>
    <message>
        <source>Copy under a new name: %1</source>
        <translation>Unter neuem Namen kopieren: %1</translation>
    </message>
    <message>
        <source>&amp;Skip</source>
        <translation>Über&amp;springen</translation>
    </message>
    <message>
        <source>Cancel all</source>
        <translation>Alle abbrechen</translation>
    </message>
</context>
<context>
    <name>capsule::app::ConnectionsDialog</name>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>unchanged (kept in the keychain)</source>
        <translation>unverändert (im Schlüsselbund gespeichert)</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>Server &amp;URL:</source>
        <translation>Server-&amp;URL:</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <source>&amp;Request timeout:</source>
        <translation>&amp;Zeitlimit für Anfragen:</translation>
    </message>
    <message>
        <source>S&amp;tartup timeout:</source>
        <translation>Zeitlimit beim S&amp;tart:</translation>
    </message>
    <message>
        <source>&amp;Operation timeout:</source>
        <translation>Zeitlimit für &amp;Vorgänge:</translation>
    </message>
    <message>
        <source>Health:</source>
        <translation>Zustand:</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Check</source>
        <translation>&amp;Prüfen</translation>
    </message>
    <message>
        <source>C&amp;onnect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>(the embedded capsule-local)</source>
        <translation>(das eingebettete capsule-local)</translation>
    </message>
    <message>
        <source>Started by the app; always here.</source>
        <translation>Von der App gestartet; immer vorhanden.</translation>
    </message>
    <message>
        <source>Not checked yet (Check).</source>
        <translation>Noch nicht geprüft (Prüfen).</translation>
    </message>
    <message>
        <source>Fill in a name and a server URL, then Add again.</source>
        <translation>Geben Sie einen Namen und eine Server-URL ein und wählen Sie dann erneut Hinzufügen.</translation>
    </message>
    <message>
        <source>Checking %1 ...</source>
        <translation>%1 wird geprüft ...</translation>
    </message>
</context>
<context>
    <name>capsule::app::DetachedTerminalWindow</name>
    <message>
        <source>Put Back into the Main Window</source>
        <translation>Zurück ins Hauptfenster</translation>
    </message>
</context>
<context>
    <name>capsule::app::DragOutData</name>
    <message>
        <source>The drop target named no folder.</source>
        <translation>Das Ablageziel hat keinen Ordner genannt.</translation>
    </message>
    <message>
        <source>%1 is not a local folder.</source>
        <translation>%1 ist kein lokaler Ordner.</translation>
    </message>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 ist kein Ordner.</translation>
    </message>
</context>
<context>
    <name>capsule::app::EmbeddedServer</name>
    <message>
        <source>capsule-local did not report ready within %1 seconds.%2</source>
        <translation>capsule-local hat sich nicht innerhalb von %1 Sekunden bereit gemeldet.%2</translation>
    </message>
    <message>
        <source>The capsule-local server was not found next to the application.</source>
        <translation>Der capsule-local-Server wurde neben der Anwendung nicht gefunden.</translation>
    </message>
    <message>
        <source>Cannot create the data folder %1.</source>
        <translation>Der Datenordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>Cannot start capsule-local: %1</source>
        <translation>capsule-local kann nicht gestartet werden: %1</translation>
    </message>
    <message>
        <source>capsule-local reported ready without a base URL.</source>
        <translation>capsule-local hat sich ohne Basis-URL bereit gemeldet.</translation>
    </message>
    <message>
        <source>capsule-local was killed by signal %1 (%2).</source>
        <translation>capsule-local wurde durch Signal %1 beendet (%2).</translation>
    </message>
    <message>
        <source>capsule-local exited with code %1.</source>
        <translation>capsule-local wurde mit Code %1 beendet.</translation>
    </message>
</context>
<context>
    <name>capsule::app::ExecConsole</name>
    <message>
        <source>Shell</source>
        <translation>Shell</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ausführen</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>S&amp;toppen</translation>
    </message>
    <message>
        <source>&amp;Copy Output</source>
        <translation>Ausgabe &amp;kopieren</translation>
    </message>
    <message>
        <source>&amp;Save Output...</source>
        <translation>Ausgabe &amp;speichern...</translation>
    </message>
    <message>
        <source>Command, e.g. ls -la /workspace</source>
        <translation>Befehl, z. B. ls -la /workspace</translation>
    </message>
    <message>
        <source>Run the line with sh -c (pipes, redirections, variables). Off: the line is split into arguments and run without a shell.</source>
        <translation>Die Zeile mit sh -c ausführen (Pipes, Umleitungen, Variablen). Aus: Die Zeile wird in Argumente zerlegt und ohne Shell ausgeführt.</translation>
    </message>
    <message>
        <source>/workspace (server default)</source>
        <translation>/workspace (Standard des Servers)</translation>
    </message>
    <message>
        <source>KEY=VALUE KEY2=VALUE</source>
        <translation>SCHLÜSSEL=WERT SCHLÜSSEL2=WERT</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Working directory:</source>
        <translation>Arbeitsverzeichnis:</translation>
    </message>
    <message>
        <source>Environment:</source>
        <translation>Umgebung:</translation>
    </message>
    <message>
        <source>Timeout:</source>
        <translation>Zeitlimit:</translation>
    </message>
    <message>
        <source>Runs in runner %1.</source>
        <translation>Läuft in Runner %1.</translation>
    </message>
    <message>
        <source>A quote is not closed.</source>
        <translation>Ein Anführungszeichen ist nicht geschlossen.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not KEY=VALUE.</source>
        <translation>„%1“ ist nicht SCHLÜSSEL=WERT.</translation>
    </message>
    <message>
        <source>Type a command first.</source>
        <translation>Geben Sie zuerst einen Befehl ein.</translation>
    </message>
    <message>
        <source>Running %1 ...</source>
        <translation>%1 wird ausgeführt ...</translation>
    </message>
    <message>
        <source>[exec error] %1
</source>
        <translation>[Exec-Fehler] %1
</translation>
    </message>
    <message>
        <source>Ended without an exit code</source>
        <translation>Ohne Exit-Code beendet</translation>
    </message>
    <message>
        <source>Exit code %1</source>
        <translation>Exit-Code %1</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>Failed: %1 (request id %2)</source>
        <translation>Fehlgeschlagen: %1 (Anfrage-ID %2)</translation>
    </message>
    <message>
        <source>%1 · %2 s</source>
        <translation>%1 · %2 s</translation>
    </message>
    <message>
        <source>Runner %1</source>
        <translation>Runner %1</translation>
    </message>
    <message numerus="yes">
        <source>Copied %n line(s) of output.</source>
        <translation>
            <numerusform>%n Zeile der Ausgabe kopiert.</numerusform>
            <numerusform>%n Zeilen der Ausgabe kopiert.</numerusform>
        </translation>
    </message>
    <message>
        <source>Save Output</source>
        <translation>Ausgabe speichern</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>%1 konnte nicht gespeichert werden: %2</translation>
    </message>
    <message>
        <source>Saved the output to %1</source>
        <translation>Die Ausgabe wurde in %1 gespeichert</translation>
    </message>
</context>
<context>
    <name>capsule::app::ExecConsoles</name>
    <message>
        <source>Run · %1 · %2</source>
        <translation>Ausführung · %1 · %2</translation>
    </message>
    <message>
        <source>Run · %1 · %2 · %3</source>
        <translation>Ausführung · %1 · %2 · %3</translation>
    </message>
</context>
<context>
    <name>capsule::app::ExternalOpen</name>
    <message>
        <source>Cannot open %1: no temporary folder or runner.</source>
        <translation>%1 kann nicht geöffnet werden: kein temporärer Ordner oder Runner.</translation>
    </message>
    <message>
        <source>No application opens %1 on this computer.</source>
        <translation>Keine Anwendung auf diesem Computer öffnet %1.</translation>
    </message>
    <message>
        <source>%1 was changed in another application. Upload it to the runner as %2?</source>
        <translation>%1 wurde in einer anderen Anwendung geändert. Als %2 in den Runner hochladen?</translation>
    </message>
</context>
<context>
    <name>capsule::app::FileBrowser</name>
    <message>
        <source>Up</source>
        <translation>Nach oben</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>New Folder...</source>
        <translation>Neuer Ordner...</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Open with System Application</source>
        <translation>Mit Systemanwendung öffnen</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Rename...</source>
        <translation>Umbenennen...</translation>
    </message>
    <message>
        <source>Delete...</source>
        <translation>Löschen...</translation>
    </message>
    <message>
        <source>Upload Files...</source>
        <translation>Dateien hochladen...</translation>
    </message>
    <message>
        <source>Upload Folder...</source>
        <translation>Ordner hochladen...</translation>
    </message>
    <message>
        <source>Download...</source>
        <translation>Herunterladen...</translation>
    </message>
    <message>
        <source>Path in the runner, e.g. /workspace</source>
        <translation>Pfad im Runner, z. B. /workspace</translation>
    </message>
    <message>
        <source>Roots</source>
        <translation>Wurzeln</translation>
    </message>
    <message>
        <source>The folders of the runner you can open</source>
        <translation>Die Ordner des Runners, die Sie öffnen können</translation>
    </message>
    <message>
        <source>&lt;b&gt;No runner picked.&lt;/b&gt; The Files tab shows a runner&apos;s files (its /workspace, /tmp and home folder). Select a running runner on the Runners tab and choose &lt;i&gt;Browse Files&lt;/i&gt;. Then drag files between this computer (left) and the runner (right).</source>
        <translation>&lt;b&gt;Kein Runner ausgewählt.&lt;/b&gt; Der Tab Dateien zeigt die Dateien eines Runners (sein /workspace, /tmp und Home-Ordner). Wählen Sie auf dem Tab Runner einen laufenden Runner und dann &lt;i&gt;Dateien durchsuchen&lt;/i&gt;. Ziehen Sie dann Dateien zwischen diesem Computer (links) und dem Runner (rechts).</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>Filter</translation>
    </message>
    <message>
        <source>Show Hidden Files</source>
        <translation>Versteckte Dateien anzeigen</translation>
    </message>
    <message>
        <source>Parent folder on this computer</source>
        <translation>Übergeordneter Ordner auf diesem Computer</translation>
    </message>
    <message>
        <source>Choose...</source>
        <translation>Auswählen...</translation>
    </message>
    <message>
        <source>Show another folder of this computer</source>
        <translation>Einen anderen Ordner dieses Computers anzeigen</translation>
    </message>
    <message>
        <source>Local folder</source>
        <translation>Lokaler Ordner</translation>
    </message>
    <message>
        <source>Browse</source>
        <translation>Durchsuchen</translation>
    </message>
    <message>
        <source>Listing %1...</source>
        <translation>%1 wird aufgelistet...</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>%n Eintrag</numerusform>
            <numerusform>%n Einträge</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot list %1: %2</source>
        <translation>%1 kann nicht aufgelistet werden: %2</translation>
    </message>
    <message>
        <source>%1 (does not exist in this runner)</source>
        <translation>%1 (existiert in diesem Runner nicht)</translation>
    </message>
    <message>
        <source>The path must be absolute (start with /).</source>
        <translation>Der Pfad muss absolut sein (mit / beginnen).</translation>
    </message>
    <message>
        <source>%1 is outside the folders a runner shares: open one of %2.</source>
        <translation>%1 liegt außerhalb der Ordner, die ein Runner freigibt: Öffnen Sie einen von %2.</translation>
    </message>
    <message>
        <source>%1 is a top folder; the Roots menu lists the others.</source>
        <translation>%1 ist ein oberster Ordner; das Menü Wurzeln listet die anderen.</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Name of the new folder:</source>
        <translation>Name des neuen Ordners:</translation>
    </message>
    <message>
        <source>New folder</source>
        <translation>Neuer Ordner</translation>
    </message>
    <message>
        <source>A folder name cannot contain &apos;/&apos;.</source>
        <translation>Ein Ordnername darf kein „/“ enthalten.</translation>
    </message>
    <message>
        <source>The folder belongs to root: %1</source>
        <translation>Der Ordner gehört root: %1</translation>
    </message>
    <message>
        <source>Delete %1%2?</source>
        <translation>%1%2 löschen?</translation>
    </message>
    <message>
        <source> and everything in it</source>
        <translation> und alles darin</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n item(s)%1?</source>
        <translation>
            <numerusform>%n Eintrag%1 löschen?</numerusform>
            <numerusform>%n Einträge%1 löschen?</numerusform>
        </translation>
    </message>
    <message>
        <source> including folders and their contents</source>
        <translation> einschließlich Ordnern und ihrem Inhalt</translation>
    </message>
    <message>
        <source>Deleting %1</source>
        <translation>%1 wird gelöscht</translation>
    </message>
    <message>
        <source>New name for %1:</source>
        <translation>Neuer Name für %1:</translation>
    </message>
    <message>
        <source>Renaming %1</source>
        <translation>%1 wird umbenannt</translation>
    </message>
    <message>
        <source>A name cannot contain &apos;/&apos;.</source>
        <translation>Ein Name darf kein „/“ enthalten.</translation>
    </message>
    <message>
        <source>%1 already exists in %2; nothing was renamed. Choose another name, or delete %1 first.</source>
        <translation>%1 existiert bereits in %2; nichts wurde umbenannt. Wählen Sie einen anderen Namen oder löschen Sie zuerst %1.</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Opened %1; saving it there offers to upload it back.</source>
        <translation>%1 geöffnet; beim Speichern dort wird das Hochladen angeboten.</translation>
    </message>
    <message>
        <source>%1 has unsaved changes. Close it and lose them?</source>
        <translation>%1 hat ungespeicherte Änderungen. Schließen und die Änderungen verwerfen?</translation>
    </message>
    <message>
        <source>Upload Files</source>
        <translation>Dateien hochladen</translation>
    </message>
    <message>
        <source>Upload Folder</source>
        <translation>Ordner hochladen</translation>
    </message>
    <message>
        <source>Download to Folder</source>
        <translation>In Ordner herunterladen</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>Hochladen</translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 existiert nicht.</translation>
    </message>
    <message numerus="yes">
        <source>Downloading %n item(s) to %1</source>
        <translation>
            <numerusform>%n Eintrag wird nach %1 heruntergeladen</numerusform>
            <numerusform>%n Einträge werden nach %1 heruntergeladen</numerusform>
        </translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Runner %1 is not open in the Files tab.</source>
        <translation>Runner %1 ist im Tab Dateien nicht geöffnet.</translation>
    </message>
    <message numerus="yes">
        <source>Copying %n item(s) to %1 on runner %2</source>
        <translation>
            <numerusform>%n Eintrag wird nach %1 auf Runner %2 kopiert</numerusform>
            <numerusform>%n Einträge werden nach %1 auf Runner %2 kopiert</numerusform>
        </translation>
    </message>
    <message>
        <source>Drag out</source>
        <translation>Herausziehen</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
</context>
<context>
    <name>capsule::app::FilePreview</name>
    <message>
        <source>Select a file to preview it.</source>
        <translation>Wählen Sie eine Datei für die Vorschau.</translation>
    </message>
    <message>
        <source>%1 is a folder.</source>
        <translation>%1 ist ein Ordner.</translation>
    </message>
    <message>
        <source>%1 is %2: no preview above %3.</source>
        <translation>%1 ist %2: keine Vorschau über %3.</translation>
    </message>
    <message>
        <source>Loading %1...</source>
        <translation>%1 wird geladen...</translation>
    </message>
    <message>
        <source>%1 is not an image Qt can read.</source>
        <translation>%1 ist kein Bild, das Qt lesen kann.</translation>
    </message>
    <message>
        <source>%1: %2 x %3</source>
        <translation>%1: %2 x %3</translation>
    </message>
    <message>
        <source>%1 is a binary file: no preview.</source>
        <translation>%1 ist eine Binärdatei: keine Vorschau.</translation>
    </message>
</context>
<context>
    <name>capsule::app::FreshSizeModel</name>
    <message>
        <source>%L1 bytes</source>
        <translation>%L1 Bytes</translation>
    </message>
</context>
<context>
    <name>capsule::app::HealthCheck</name>
    <message>
        <source>Not reachable: %1</source>
        <translation>Nicht erreichbar: %1</translation>
    </message>
    <message>
        <source>1 host</source>
        <translation>1 Host</translation>
    </message>
    <message>
        <source>%1 hosts</source>
        <translation>%1 Hosts</translation>
    </message>
    <message>
        <source>Reachable in %1 ms · %2 · server version %3</source>
        <translation>Erreichbar in %1 ms · %2 · Serverversion %3</translation>
    </message>
    <message>
        <source>not reported</source>
        <translation>nicht gemeldet</translation>
    </message>
    <message>
        <source> (request id %1)</source>
        <translation> (Anfrage-ID %1)</translation>
    </message>
</context>
<context>
    <name>capsule::app::HostsModel</name>
    <message>
        <source>Host %1</source>
        <translation>Host %1</translation>
    </message>
    <message>
        <source>%1 of %2 workloads</source>
        <translation>%1 von %2 Workloads</translation>
    </message>
    <message>
        <source>Workload key %1</source>
        <translation>Workload-Schlüssel %1</translation>
    </message>
    <message>
        <source>(not built)</source>
        <translation>(nicht gebaut)</translation>
    </message>
    <message>
        <source>no build yet</source>
        <translation>noch kein Build</translation>
    </message>
    <message>
        <source>converged</source>
        <translation>konvergiert</translation>
    </message>
    <message>
        <source>converging</source>
        <translation>konvergiert gerade</translation>
    </message>
    <message>
        <source>Host / workload</source>
        <translation>Host / Workload</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Runners</source>
        <translation>Runner</translation>
    </message>
    <message>
        <source>Desired version</source>
        <translation>Sollversion</translation>
    </message>
    <message>
        <source>Current version</source>
        <translation>Aktuelle Version</translation>
    </message>
    <message>
        <source>Convergence</source>
        <translation>Konvergenz</translation>
    </message>
</context>
<context>
    <name>capsule::app::HostsView</name>
    <message>
        <source>Could not refresh the hosts: %1</source>
        <translation>Die Hosts konnten nicht aktualisiert werden: %1</translation>
    </message>
</context>
<context>
    <name>capsule::app::LayerProgressDelegate</name>
    <message>
        <source>building: %1/%2 layers</source>
        <translation>wird gebaut: %1/%2 Schichten</translation>
    </message>
</context>
<context>
    <name>capsule::app::LayersPage</name>
    <message>
        <source>Line %1: not a JSON %2 (%3).</source>
        <translation>Zeile %1: keine JSON-%2 (%3).</translation>
    </message>
    <message>
        <source>argv list</source>
        <translation>argv-Liste</translation>
    </message>
    <message>
        <source>command mapping</source>
        <translation>Befehls-Mapping</translation>
    </message>
    <message>
        <source>Line %1: every argument must be a string.</source>
        <translation>Zeile %1: Jedes Argument muss ein String sein.</translation>
    </message>
    <message>
        <source>Line %1: the argv list is empty.</source>
        <translation>Zeile %1: Die argv-Liste ist leer.</translation>
    </message>
    <message>
        <source>&amp;Add</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>&amp;Up</source>
        <translation>Nach &amp;oben</translation>
    </message>
    <message>
        <source>Do&amp;wn</source>
        <translation>Nach &amp;unten</translation>
    </message>
    <message>
        <source>Add drive</source>
        <translation>Laufwerk hinzufügen</translation>
    </message>
    <message>
        <source>Remove drive</source>
        <translation>Laufwerk entfernen</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>Commands that prepare the runners&apos; disk, in layers built root first. A change rebuilds its layer and the ones after it.</source>
        <translation>Befehle, die die Festplatte der Runner vorbereiten, in Schichten, beginnend mit der Wurzel gebaut. Eine Änderung baut ihre Schicht und alle folgenden neu.</translation>
    </message>
    <message>
        <source>The layers, root first. Double-click to rename. Layers are cached and shared between workloads with identical layers.</source>
        <translation>Die Schichten, Wurzel zuerst. Doppelklick zum Umbenennen. Schichten werden zwischengespeichert und zwischen Workloads mit identischen Schichten geteilt.</translation>
    </message>
    <message>
        <source>One command per line: a shell line (run with bash -lc), an argv list [&quot;pip&quot;,&quot;install&quot;,&quot;x&quot;], or a JSON command mapping. Start a line with &quot;root: &quot; to run it as root (run_as_root).</source>
        <translation>Ein Befehl pro Zeile: eine Shell-Zeile (mit bash -lc ausgeführt), eine argv-Liste [&quot;pip&quot;,&quot;install&quot;,&quot;x&quot;] oder ein JSON-Befehls-Mapping. Beginnen Sie eine Zeile mit &quot;root: &quot;, um sie als root auszuführen (run_as_root).</translation>
    </message>
    <message>
        <source>&amp;Init commands:</source>
        <translation>&amp;Init-Befehle:</translation>
    </message>
    <message>
        <source>Commands that build this layer (init_commands, required). </source>
        <translation>Befehle, die diese Schicht bauen (init_commands, Pflicht). </translation>
    </message>
    <message>
        <source>Re&amp;fresh commands:</source>
        <translation>Re&amp;fresh-Befehle:</translation>
    </message>
    <message>
        <source>Commands run when the layer is refreshed (refresh_commands). Default: none. </source>
        <translation>Befehle, die beim Auffrischen der Schicht laufen (refresh_commands). Standard: keine. </translation>
    </message>
    <message>
        <source>e.g. 6h (default: no schedule)</source>
        <translation>z. B. 6h (Standard: kein Zeitplan)</translation>
    </message>
    <message>
        <source>Refresh &amp;interval:</source>
        <translation>Refresh-&amp;Intervall:</translation>
    </message>
    <message>
        <source>How often to refresh the layer, as a Go duration such as 30m, 6h or 1h30m (refresh_interval). &quot;daily&quot; is refused by the server. Default: none.</source>
        <translation>Wie oft die Schicht aufgefrischt wird, als Go-Dauer wie 30m, 6h oder 1h30m (refresh_interval). &quot;daily&quot; lehnt der Server ab. Standard: keines.</translation>
    </message>
    <message>
        <source>Drive id</source>
        <translation>Laufwerks-ID</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Bezeichnung</translation>
    </message>
    <message>
        <source>Size (GiB)</source>
        <translation>Größe (GiB)</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>Schreibgeschützt</translation>
    </message>
    <message>
        <source>Mount path</source>
        <translation>Einhängepfad</translation>
    </message>
    <message>
        <source>&amp;Drives:</source>
        <translation>&amp;Laufwerke:</translation>
    </message>
    <message>
        <source>Extra disks of this layer (drives): id (unique), label, size in GiB, read-only, mount path. Default: none, and then the layer gets the /workspace drive (workspace_size_gb).</source>
        <translation>Zusätzliche Festplatten dieser Schicht (drives): ID (eindeutig), Bezeichnung, Größe in GiB, schreibgeschützt, Einhängepfad. Standard: keine, dann bekommt die Schicht das Laufwerk /workspace (workspace_size_gb).</translation>
    </message>
    <message>
        <source>A layer needs at least one init command.</source>
        <translation>Eine Schicht braucht mindestens einen Init-Befehl.</translation>
    </message>
    <message>
        <source>Refresh interval</source>
        <translation>Refresh-Intervall</translation>
    </message>
    <message>
        <source>Drive %1 needs an id.</source>
        <translation>Laufwerk %1 braucht eine ID.</translation>
    </message>
    <message>
        <source>The drive id &quot;%1&quot; is used twice in this layer.</source>
        <translation>Die Laufwerks-ID „%1“ wird in dieser Schicht zweimal verwendet.</translation>
    </message>
    <message>
        <source>Drive %1: the size is a whole number of GiB from 1 to 65536.</source>
        <translation>Laufwerk %1: Die Größe ist eine ganze Zahl von GiB zwischen 1 und 65536.</translation>
    </message>
    <message>
        <source>Drive %1: the mount path must be absolute (start with /).</source>
        <translation>Laufwerk %1: Der Einhängepfad muss absolut sein (mit / beginnen).</translation>
    </message>
    <message>
        <source>Two layers are called &quot;%1&quot;; layer names must be unique.</source>
        <translation>Zwei Schichten heißen „%1“; Schichtnamen müssen eindeutig sein.</translation>
    </message>
    <message>
        <source>Layer &quot;%1&quot; has no init commands.</source>
        <translation>Schicht „%1“ hat keine Init-Befehle.</translation>
    </message>
    <message>
        <source>Add a layer, or go back and choose a base image.</source>
        <translation>Fügen Sie eine Schicht hinzu oder gehen Sie zurück und wählen Sie ein Basis-Image.</translation>
    </message>
</context>
<context>
    <name>capsule::app::MainWindow</name>
    <message>
        <source>Build log</source>
        <translation>Build-Protokoll</translation>
    </message>
    <message>
        <source>&amp;Hosts</source>
        <translation>&amp;Hosts</translation>
    </message>
    <message>
        <source>S&amp;napshots</source>
        <translation>S&amp;napshots</translation>
    </message>
    <message>
        <source>R&amp;un</source>
        <translation>A&amp;usführen</translation>
    </message>
    <message>
        <source>Filter workloads (name, key, tier, state)</source>
        <translation>Workloads filtern (Name, Schlüssel, Stufe, Zustand)</translation>
    </message>
    <message>
        <source>%1: done.</source>
        <translation>%1: fertig.</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;No workloads yet.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;A workload describes a sandbox: a base image and the commands that set it up.&lt;br&gt;Build it, then &lt;i&gt;Start Runner&lt;/i&gt; gives you a running sandbox.&lt;/p&gt;&lt;p&gt;&lt;a href=&quot;new&quot;&gt;New Workload...&lt;/a&gt; (Ctrl+N) &amp;nbsp;·&amp;nbsp; &lt;a href=&quot;open&quot;&gt;Open onboard.yaml...&lt;/a&gt; (Ctrl+O) &amp;nbsp;·&amp;nbsp; &lt;a href=&quot;example&quot;&gt;Try an example&lt;/a&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Noch keine Workloads.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Ein Workload beschreibt eine Sandbox: ein Basis-Image und die Befehle, die sie einrichten.&lt;br&gt;Bauen Sie ihn, dann gibt Ihnen &lt;i&gt;Runner starten&lt;/i&gt; eine laufende Sandbox.&lt;/p&gt;&lt;p&gt;&lt;a href=&quot;new&quot;&gt;Neuer Workload...&lt;/a&gt; (Strg+N) &amp;nbsp;·&amp;nbsp; &lt;a href=&quot;open&quot;&gt;onboard.yaml öffnen...&lt;/a&gt; (Strg+O) &amp;nbsp;·&amp;nbsp; &lt;a href=&quot;example&quot;&gt;Ein Beispiel ausprobieren&lt;/a&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;No runners.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;A runner is a running sandbox of a workload.&lt;br&gt;Select a built workload on the Workloads tab and choose &lt;i&gt;Start Runner&lt;/i&gt; (Ctrl+Return), or double-click it.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Keine Runner.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Ein Runner ist eine laufende Sandbox eines Workloads.&lt;br&gt;Wählen Sie auf dem Tab Workloads einen gebauten Workload und dann &lt;i&gt;Runner starten&lt;/i&gt; (Strg+Eingabe) oder doppelklicken Sie ihn.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop waiting for the runner to start</source>
        <translation>Nicht mehr auf den Start des Runners warten</translation>
    </message>
    <message>
        <source>Transfers</source>
        <translation>Übertragungen</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>&amp;New Workload...</source>
        <translation>&amp;Neuer Workload...</translation>
    </message>
    <message>
        <source>&amp;Open onboard.yaml...</source>
        <translation>onboard.yaml ö&amp;ffnen...</translation>
    </message>
    <message>
        <source>&amp;Connection Settings...</source>
        <translation>&amp;Verbindungseinstellungen...</translation>
    </message>
    <message>
        <source>Co&amp;nnections...</source>
        <translation>Ver&amp;bindungen...</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;About Capsule Desktop</source>
        <translation>Ü&amp;ber Capsule Desktop</translation>
    </message>
    <message>
        <source>&amp;Start Runner</source>
        <translation>Runner &amp;starten</translation>
    </message>
    <message>
        <source>Start Runner &amp;With Options...</source>
        <translation>Runner mit &amp;Optionen starten...</translation>
    </message>
    <message>
        <source>&amp;Build</source>
        <translation>&amp;Bauen</translation>
    </message>
    <message>
        <source>&amp;Rebuild (force)</source>
        <translation>&amp;Neu bauen (erzwungen)</translation>
    </message>
    <message>
        <source>C&amp;lean Rebuild</source>
        <translation>&amp;Sauber neu bauen</translation>
    </message>
    <message>
        <source>&amp;Edit...</source>
        <translation>&amp;Bearbeiten...</translation>
    </message>
    <message>
        <source>D&amp;uplicate...</source>
        <translation>D&amp;uplizieren...</translation>
    </message>
    <message>
        <source>E&amp;xport onboard.yaml...</source>
        <translation>onboard.yaml e&amp;xportieren...</translation>
    </message>
    <message>
        <source>&amp;Delete Workload...</source>
        <translation>Workload &amp;löschen...</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>Res&amp;ume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>&amp;Release...</source>
        <translation>&amp;Freigeben...</translation>
    </message>
    <message>
        <source>&amp;Quarantine...</source>
        <translation>&amp;Quarantäne...</translation>
    </message>
    <message>
        <source>Open &amp;Terminal</source>
        <translation>&amp;Terminal öffnen</translation>
    </message>
    <message>
        <source>Run &amp;Command...</source>
        <translation>&amp;Befehl ausführen...</translation>
    </message>
    <message>
        <source>Run `uname -a`</source>
        <translation>`uname -a` ausführen</translation>
    </message>
    <message>
        <source>&amp;Close Terminal</source>
        <translation>Terminal &amp;schließen</translation>
    </message>
    <message>
        <source>&amp;Copy Runner ID</source>
        <translation>Runner-ID &amp;kopieren</translation>
    </message>
    <message>
        <source>Browse &amp;Files</source>
        <translation>&amp;Dateien durchsuchen</translation>
    </message>
    <message>
        <source>Terminal &amp;Appearance...</source>
        <translation>Terminal-&amp;Darstellung...</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Workload</source>
        <translation>&amp;Workload</translation>
    </message>
    <message>
        <source>&amp;Runner</source>
        <translation>&amp;Runner</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Haupt</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>server changed</source>
        <translation>Server gewechselt</translation>
    </message>
    <message>
        <source>&amp;Files</source>
        <translation>&amp;Dateien</translation>
    </message>
    <message>
        <source>No system keychain is available: the API token is stored in %1 (readable only by you).</source>
        <translation>Kein System-Schlüsselbund verfügbar: Das API-Token wird in %1 gespeichert (nur für Sie lesbar).</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;The server does not answer.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;%1&lt;/p&gt;&lt;p&gt;&lt;a href=&quot;retry&quot;&gt;Try again&lt;/a&gt; &amp;nbsp;·&amp;nbsp; &lt;a href=&quot;connections&quot;&gt;Connections...&lt;/a&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Der Server antwortet nicht.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;%1&lt;/p&gt;&lt;p&gt;&lt;a href=&quot;retry&quot;&gt;Erneut versuchen&lt;/a&gt; &amp;nbsp;·&amp;nbsp; &lt;a href=&quot;connections&quot;&gt;Verbindungen...&lt;/a&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>%1 The lists show the last known state; actions wait until the server answers.</source>
        <translation>%1 Die Listen zeigen den zuletzt bekannten Zustand; Aktionen warten, bis der Server antwortet.</translation>
    </message>
    <message>
        <source>The server does not answer: %1
The lists show the last known state; actions wait until it answers.</source>
        <translation>Der Server antwortet nicht: %1
Die Listen zeigen den zuletzt bekannten Zustand; Aktionen warten, bis er antwortet.</translation>
    </message>
    <message>
        <source>The server stopped while the runner was starting: %1</source>
        <translation>Der Server wurde beendet, während der Runner startete: %1</translation>
    </message>
    <message>
        <source>Capsule Desktop</source>
        <translation>Capsule Desktop</translation>
    </message>
    <message>
        <source>Capsule Desktop - %1</source>
        <translation>Capsule Desktop - %1</translation>
    </message>
    <message>
        <source>Copied %1</source>
        <translation>%1 kopiert</translation>
    </message>
    <message>
        <source>Disconnected while building.</source>
        <translation>Während des Builds getrennt.</translation>
    </message>
    <message>
        <source>Build log - %1</source>
        <translation>Build-Protokoll - %1</translation>
    </message>
    <message>
        <source>== layer %1, build %2 ==</source>
        <translation>== Schicht %1, Build %2 ==</translation>
    </message>
    <message>
        <source>Building %1: %2</source>
        <translation>%1 wird gebaut: %2</translation>
    </message>
    <message>
        <source>The server this window shows (Connections... to edit)</source>
        <translation>Der Server, den dieses Fenster zeigt (Verbindungen... zum Bearbeiten)</translation>
    </message>
    <message>
        <source>(not connected)</source>
        <translation>(nicht verbunden)</translation>
    </message>
    <message numerus="yes">
        <source>%n terminal(s) will be closed</source>
        <translation>
            <numerusform>%n Terminal wird geschlossen</numerusform>
            <numerusform>%n Terminals werden geschlossen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n running command(s) will be stopped</source>
        <translation>
            <numerusform>%n laufender Befehl wird gestoppt</numerusform>
            <numerusform>%n laufende Befehle werden gestoppt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n transfer(s) will be cancelled</source>
        <translation>
            <numerusform>%n Übertragung wird abgebrochen</numerusform>
            <numerusform>%n Übertragungen werden abgebrochen</numerusform>
        </translation>
    </message>
    <message>
        <source>Switched to %1.</source>
        <translation>Zu %1 gewechselt.</translation>
    </message>
    <message>
        <source>Switch to %1? %2.</source>
        <translation>Zu %1 wechseln? %2.</translation>
    </message>
    <message>
        <source>paused runner %1</source>
        <translation>pausierter Runner %1</translation>
    </message>
    <message>
        <source>A runner is already starting; cancel it first.</source>
        <translation>Ein Runner startet bereits; brechen Sie ihn zuerst ab.</translation>
    </message>
    <message>
        <source>Starting runner for %1</source>
        <translation>Runner für %1 wird gestartet</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>Pausing %1</source>
        <translation>%1 wird pausiert</translation>
    </message>
    <message>
        <source>Resuming %1</source>
        <translation>%1 wird fortgesetzt</translation>
    </message>
    <message>
        <source>The runner has no session to resume.</source>
        <translation>Der Runner hat keine Sitzung zum Fortsetzen.</translation>
    </message>
    <message>
        <source>Release the runner %1? Its files and processes are destroyed.</source>
        <translation>Den Runner %1 freigeben? Seine Dateien und Prozesse werden vernichtet.</translation>
    </message>
    <message>
        <source>Releasing %1</source>
        <translation>%1 wird freigegeben</translation>
    </message>
    <message>
        <source>released</source>
        <translation>freigegeben</translation>
    </message>
    <message>
        <source>Quarantine the runner %1? Its network egress is blocked and the VM paused.</source>
        <translation>Den Runner %1 unter Quarantäne stellen? Sein ausgehender Netzwerkverkehr wird blockiert und die VM pausiert.</translation>
    </message>
    <message>
        <source>Quarantining %1</source>
        <translation>%1 wird unter Quarantäne gestellt</translation>
    </message>
    <message>
        <source>The Files tab let go of runner %1 (%2).</source>
        <translation>Der Tab Dateien hat Runner %1 losgelassen (%2).</translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 existiert nicht.</translation>
    </message>
    <message numerus="yes">
        <source>Uploading %n item(s) to /workspace of %1</source>
        <translation>
            <numerusform>%n Eintrag wird nach /workspace von %1 hochgeladen</numerusform>
            <numerusform>%n Einträge werden nach /workspace von %1 hochgeladen</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Files - %1</source>
        <translation>&amp;Dateien - %1</translation>
    </message>
    <message>
        <source>Clean rebuild of %1</source>
        <translation>Sauberer Neubau von %1</translation>
    </message>
    <message>
        <source>Rebuilding %1</source>
        <translation>%1 wird neu gebaut</translation>
    </message>
    <message>
        <source>Building %1</source>
        <translation>%1 wird gebaut</translation>
    </message>
    <message>
        <source>Build: %1</source>
        <translation>Build: %1</translation>
    </message>
    <message>
        <source>Editing the workload</source>
        <translation>Der Workload wird bearbeitet</translation>
    </message>
    <message>
        <source>Edit %1</source>
        <translation>%1 bearbeiten</translation>
    </message>
    <message>
        <source>Duplicating the workload</source>
        <translation>Der Workload wird dupliziert</translation>
    </message>
    <message>
        <source>Duplicate of %1</source>
        <translation>Duplikat von %1</translation>
    </message>
    <message>
        <source>Export onboard.yaml</source>
        <translation>onboard.yaml exportieren</translation>
    </message>
    <message>
        <source>YAML files (*.yaml *.yml)</source>
        <translation>YAML-Dateien (*.yaml *.yml)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Exporting %1</source>
        <translation>%1 wird exportiert</translation>
    </message>
    <message>
        <source>Exported the workload to %1</source>
        <translation>Der Workload wurde nach %1 exportiert</translation>
    </message>
    <message>
        <source>Delete the workload %1? Runners already started keep running.</source>
        <translation>Den Workload %1 löschen? Bereits gestartete Runner laufen weiter.</translation>
    </message>
    <message>
        <source>Deleting %1</source>
        <translation>%1 wird gelöscht</translation>
    </message>
    <message>
        <source>New Workload</source>
        <translation>Neuer Workload</translation>
    </message>
    <message>
        <source>Open onboard.yaml</source>
        <translation>onboard.yaml öffnen</translation>
    </message>
    <message>
        <source>Opening %1</source>
        <translation>%1 wird geöffnet</translation>
    </message>
    <message>
        <source>Workload from %1</source>
        <translation>Workload aus %1</translation>
    </message>
    <message>
        <source>A workload named %1 already exists with the same definition. Create it again (nothing changes)?</source>
        <translation>Ein Workload namens %1 existiert bereits mit derselben Definition. Erneut anlegen (nichts ändert sich)?</translation>
    </message>
    <message>
        <source>A workload named %1 already exists. Replace it?

What changes:
%2</source>
        <translation>Ein Workload namens %1 existiert bereits. Ersetzen?

Was sich ändert:
%2</translation>
    </message>
    <message>
        <source>

The server keeps the layers and the tier of an existing workload: it will refuse this. Delete %1 first, or choose another name.</source>
        <translation>

Der Server behält die Schichten und die Stufe eines bestehenden Workloads: Er wird dies ablehnen. Löschen Sie zuerst %1 oder wählen Sie einen anderen Namen.</translation>
    </message>
    <message>
        <source>Creating %1</source>
        <translation>%1 wird angelegt</translation>
    </message>
    <message>
        <source>Onboarding %1</source>
        <translation>%1 wird eingerichtet</translation>
    </message>
    <message>
        <source>Transfers finished</source>
        <translation>Übertragungen beendet</translation>
    </message>
    <message>
        <source>Build finished</source>
        <translation>Build beendet</translation>
    </message>
    <message>
        <source>Build failed</source>
        <translation>Build fehlgeschlagen</translation>
    </message>
    <message>
        <source>%1 is built.</source>
        <translation>%1 ist gebaut.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Runner started</source>
        <translation>Runner gestartet</translation>
    </message>
    <message>
        <source>%1 is ready.</source>
        <translation>%1 ist bereit.</translation>
    </message>
    <message>
        <source>Runner start failed</source>
        <translation>Runner-Start fehlgeschlagen</translation>
    </message>
    <message>
        <source>&amp;Preferences...</source>
        <translation>&amp;Einstellungen...</translation>
    </message>
</context>
<context>
    <name>capsule::app::MessageBox</name>
    <message>
        <source>Capsule Desktop</source>
        <translation>Capsule Desktop</translation>
    </message>
    <message>
        <source>%1 failed.</source>
        <translation>%1 fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Message: %1</source>
        <translation>Meldung: %1</translation>
    </message>
    <message>
        <source>Kind: %1</source>
        <translation>Art: %1</translation>
    </message>
    <message>
        <source>HTTP status: %1</source>
        <translation>HTTP-Status: %1</translation>
    </message>
    <message>
        <source>Request id: %1</source>
        <translation>Anfrage-ID: %1</translation>
    </message>
    <message>
        <source>Runner: %1 (%2)</source>
        <translation>Runner: %1 (%2)</translation>
    </message>
    <message>
        <source>Workload key: %1</source>
        <translation>Workload-Schlüssel: %1</translation>
    </message>
</context>
<context>
    <name>capsule::app::NetworkPage</name>
    <message>
        <source>Metadata server</source>
        <translation>Metadaten-Server</translation>
    </message>
    <message>
        <source>The host</source>
        <translation>Der Host</translation>
    </message>
    <message>
        <source>Other runners</source>
        <translation>Andere Runner</translation>
    </message>
    <message>
        <source>Inspect TLS (ssl_bump)</source>
        <translation>TLS untersuchen (ssl_bump)</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <source>What the runners may reach. Pick a preset, or describe a custom policy.</source>
        <translation>Was die Runner erreichen dürfen. Wählen Sie eine Vorgabe oder beschreiben Sie eine eigene Richtlinie.</translation>
    </message>
    <message>
        <source>default (the server&apos;s: unrestricted)</source>
        <translation>Standard (des Servers: uneingeschränkt)</translation>
    </message>
    <message>
        <source>unrestricted</source>
        <translation>uneingeschränkt</translation>
    </message>
    <message>
        <source>restricted egress</source>
        <translation>eingeschränkter ausgehender Verkehr</translation>
    </message>
    <message>
        <source>agent sandbox</source>
        <translation>Agenten-Sandbox</translation>
    </message>
    <message>
        <source>quarantine (no network)</source>
        <translation>Quarantäne (kein Netzwerk)</translation>
    </message>
    <message>
        <source>custom policy...</source>
        <translation>eigene Richtlinie...</translation>
    </message>
    <message>
        <source>&amp;Policy:</source>
        <translation>&amp;Richtlinie:</translation>
    </message>
    <message>
        <source>config.network_policy_preset, or config.network_policy for a custom policy. Default: none (unrestricted).</source>
        <translation>config.network_policy_preset oder config.network_policy für eine eigene Richtlinie. Standard: keine (uneingeschränkt).</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>A name for the policy (name). Optional.</source>
        <translation>Ein Name für die Richtlinie (name). Optional.</translation>
    </message>
    <message>
        <source>allow (deny what is listed)</source>
        <translation>erlauben (Aufgelistetes verbieten)</translation>
    </message>
    <message>
        <source>deny (allow only what is listed)</source>
        <translation>verbieten (nur Aufgelistetes erlauben)</translation>
    </message>
    <message>
        <source>Default egress:</source>
        <translation>Standard für ausgehenden Verkehr:</translation>
    </message>
    <message>
        <source>default_egress_action. Default: allow. Domain rules need deny.</source>
        <translation>default_egress_action. Standard: allow. Domainregeln brauchen deny.</translation>
    </message>
    <message>
        <source>One rule per row: description, domains, CIDRs (10.0.0.0/8), ports (443, 8000-8080), protocols (tcp, udp); lists separated by commas.</source>
        <translation>Eine Regel pro Zeile: Beschreibung, Domains, CIDRs (10.0.0.0/8), Ports (443, 8000-8080), Protokolle (tcp, udp); Listen durch Kommas getrennt.</translation>
    </message>
    <message>
        <source>Allowed egress:</source>
        <translation>Erlaubter ausgehender Verkehr:</translation>
    </message>
    <message>
        <source>allowed_egress. </source>
        <translation>allowed_egress. </translation>
    </message>
    <message>
        <source>Denied egress:</source>
        <translation>Verbotener ausgehender Verkehr:</translation>
    </message>
    <message>
        <source>denied_egress. </source>
        <translation>denied_egress. </translation>
    </message>
    <message>
        <source>internal_access.allow_metadata. Default: on.</source>
        <translation>internal_access.allow_metadata. Standard: an.</translation>
    </message>
    <message>
        <source>internal_access.allow_host_access. Default: off.</source>
        <translation>internal_access.allow_host_access. Standard: aus.</translation>
    </message>
    <message>
        <source>internal_access.allow_other_vms. Default: off.</source>
        <translation>internal_access.allow_other_vms. Standard: aus.</translation>
    </message>
    <message>
        <source>Internal access:</source>
        <translation>Interner Zugriff:</translation>
    </message>
    <message>
        <source>Internal CIDRs:</source>
        <translation>Interne CIDRs:</translation>
    </message>
    <message>
        <source>internal_access.allowed_internal_cidrs: private ranges the runners may reach, each no broader than /16. Default: none.</source>
        <translation>internal_access.allowed_internal_cidrs: private Bereiche, die die Runner erreichen dürfen, jeder höchstens so breit wie /16. Standard: keine.</translation>
    </message>
    <message>
        <source>Credential proxy (auth)</source>
        <translation>Zugangsdaten-Proxy (auth)</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Hosts</source>
        <translation>Hosts</translation>
    </message>
    <message>
        <source>Config (k=v, ...)</source>
        <translation>Konfiguration (k=v, ...)</translation>
    </message>
    <message>
        <source>Providers:</source>
        <translation>Anbieter:</translation>
    </message>
    <message>
        <source>config.auth.providers: type (gcp-metadata, github-app, github-dual-token, bearer-token, token-exchange, delegated), host globs, provider config. Default: none.</source>
        <translation>config.auth.providers: Typ (gcp-metadata, github-app, github-dual-token, bearer-token, token-exchange, delegated), Host-Muster, Anbieterkonfiguration. Standard: keine.</translation>
    </message>
    <message>
        <source>Add provider</source>
        <translation>Anbieter hinzufügen</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>nicht gesetzt</translation>
    </message>
    <message>
        <source>Proxy port:</source>
        <translation>Proxy-Port:</translation>
    </message>
    <message>
        <source>config.auth.proxy.listen_port (e.g. 3128). Default: not set.</source>
        <translation>config.auth.proxy.listen_port (z. B. 3128). Standard: nicht gesetzt.</translation>
    </message>
    <message>
        <source>config.auth.proxy.ssl_bump. Default: off.</source>
        <translation>config.auth.proxy.ssl_bump. Standard: aus.</translation>
    </message>
    <message>
        <source>Proxy hosts:</source>
        <translation>Proxy-Hosts:</translation>
    </message>
    <message>
        <source>config.auth.proxy.allowed_hosts, separated by commas. Default: none.</source>
        <translation>config.auth.proxy.allowed_hosts, durch Kommas getrennt. Standard: keine.</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Domains</source>
        <translation>Domains</translation>
    </message>
    <message>
        <source>CIDRs</source>
        <translation>CIDRs</translation>
    </message>
    <message>
        <source>Ports</source>
        <translation>Ports</translation>
    </message>
    <message>
        <source>Protocols</source>
        <translation>Protokolle</translation>
    </message>
    <message>
        <source>No policy is sent; the server lets runners reach anything.</source>
        <translation>Es wird keine Richtlinie gesendet; der Server lässt Runner alles erreichen.</translation>
    </message>
    <message>
        <source>Runners may reach anything.</source>
        <translation>Runner dürfen alles erreichen.</translation>
    </message>
    <message>
        <source>Internet allowed; private networks (10/8, 172.16/12, 192.168/16) denied.</source>
        <translation>Internet erlaubt; private Netze (10/8, 172.16/12, 192.168/16) verboten.</translation>
    </message>
    <message>
        <source>Everything denied; DNS through the policy proxy; the runner may add up to 20 domains and 5 CIDRs (no wider than /24) at run time.</source>
        <translation>Alles verboten; DNS über den Richtlinien-Proxy; der Runner darf zur Laufzeit bis zu 20 Domains und 5 CIDRs (nicht breiter als /24) hinzufügen.</translation>
    </message>
    <message>
        <source>No network at all; the metadata server is blocked.</source>
        <translation>Überhaupt kein Netzwerk; der Metadaten-Server ist blockiert.</translation>
    </message>
    <message>
        <source>Your own rules below (contract 6.3).</source>
        <translation>Ihre eigenen Regeln unten (Vertrag 6.3).</translation>
    </message>
    <message>
        <source>A preset this wizard does not know; it is sent as written.</source>
        <translation>Eine Vorgabe, die dieser Assistent nicht kennt; sie wird unverändert gesendet.</translation>
    </message>
    <message>
        <source>%1 rule %2: domain rules need the default egress &quot;deny&quot;.</source>
        <translation>%1 Regel %2: Domainregeln brauchen den Standard „deny“ für ausgehenden Verkehr.</translation>
    </message>
    <message>
        <source>Allowed</source>
        <translation>Erlaubt</translation>
    </message>
    <message>
        <source>Denied</source>
        <translation>Verboten</translation>
    </message>
    <message>
        <source>Provider %1: &quot;%2&quot; is not a provider type (%3).</source>
        <translation>Anbieter %1: „%2“ ist kein Anbietertyp (%3).</translation>
    </message>
    <message>
        <source>Provider %1: write its config as key=value, key=value.</source>
        <translation>Anbieter %1: Schreiben Sie seine Konfiguration als key=value, key=value.</translation>
    </message>
</context>
<context>
    <name>capsule::app::PeerPane</name>
    <message>
        <source>Parent folder</source>
        <translation>Übergeordneter Ordner</translation>
    </message>
    <message>
        <source>Show this computer</source>
        <translation>Diesen Computer anzeigen</translation>
    </message>
    <message>
        <source>%1:%2</source>
        <translation>%1:%2</translation>
    </message>
    <message>
        <source>Runner %1, %2</source>
        <translation>Runner %1, %2</translation>
    </message>
</context>
<context>
    <name>capsule::app::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Darstellung</translation>
    </message>
    <message>
        <source>Terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <source>Transfers</source>
        <translation>Übertragungen</translation>
    </message>
    <message>
        <source>System default (%1)</source>
        <translation>Systemstandard (%1)</translation>
    </message>
    <message>
        <source>The language changes when Capsule Desktop starts again.</source>
        <translation>Die Sprache wechselt beim nächsten Start von Capsule Desktop.</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>How often the runners, workloads and hosts lists and the connection state are refreshed</source>
        <translation>Wie oft die Listen der Runner, Workloads und Hosts und der Verbindungsstatus aktualisiert werden</translation>
    </message>
    <message>
        <source>&amp;Refresh every:</source>
        <translation>&amp;Aktualisieren alle:</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>&amp;Farbschema:</translation>
    </message>
    <message>
        <source>Terminal &amp;colours:</source>
        <translation>Terminal-&amp;Farben:</translation>
    </message>
    <message>
        <source> pt</source>
        <translation> pt</translation>
    </message>
    <message>
        <source>Terminal &amp;font:</source>
        <translation>Terminal-Schrift&amp;art:</translation>
    </message>
    <message>
        <source> lines</source>
        <translation> Zeilen</translation>
    </message>
    <message>
        <source>&amp;Scrollback:</source>
        <translation>&amp;Verlauf:</translation>
    </message>
    <message>
        <source>Lines kept above the screen in each terminal; 0 keeps none. Open terminals change at once.</source>
        <translation>Zeilen, die jedes Terminal oberhalb des Bildschirms behält; 0 behält keine. Offene Terminals übernehmen es sofort.</translation>
    </message>
    <message>
        <source>Transfers at &amp;once:</source>
        <translation>Übertragungen &amp;gleichzeitig:</translation>
    </message>
    <message>
        <source>&amp;Verify content (SHA-256 here and in the runner)</source>
        <translation>Inhalt &amp;prüfen (SHA-256 hier und im Runner)</translation>
    </message>
    <message>
        <source>Uploads and new folders belong to the runner&apos;s &amp;user</source>
        <translation>Hochgeladenes und neue Ordner gehören dem &amp;Benutzer des Runners</translation>
    </message>
    <message>
        <source>Without it, what you upload belongs to root in the runner, and the runner&apos;s own programs may not be able to change it.</source>
        <translation>Ohne diese Option gehört Hochgeladenes im Runner root, und die Programme des Runners können es womöglich nicht ändern.</translation>
    </message>
</context>
<context>
    <name>capsule::app::ProfileStore</name>
    <message>
        <source>This computer</source>
        <translation>Dieser Computer</translation>
    </message>
    <message>
        <source>Environment (%1)</source>
        <translation>Umgebung (%1)</translation>
    </message>
    <message>
        <source>Give the connection a name.</source>
        <translation>Geben Sie der Verbindung einen Namen.</translation>
    </message>
    <message>
        <source>The server URL is missing, e.g. https://capsule.example.com.</source>
        <translation>Die Server-URL fehlt, z. B. https://capsule.example.com.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an http:// or https:// URL with a host.</source>
        <translation>„%1“ ist keine http://- oder https://-URL mit Host.</translation>
    </message>
    <message>
        <source>Timeouts must be more than 0 seconds.</source>
        <translation>Zeitlimits müssen mehr als 0 Sekunden betragen.</translation>
    </message>
</context>
<context>
    <name>capsule::app::ProgressPage</name>
    <message>
        <source>&amp;Start a runner when ready, and open its</source>
        <translation>Einen Runner &amp;starten, wenn bereit, und öffnen:</translation>
    </message>
    <message>
        <source>Onboarding</source>
        <translation>Einrichtung</translation>
    </message>
    <message>
        <source>The workload is created on the server and its layers are built.</source>
        <translation>Der Workload wird auf dem Server angelegt und seine Schichten werden gebaut.</translation>
    </message>
    <message>
        <source>%v of %m layers built</source>
        <translation>%v von %m Schichten gebaut</translation>
    </message>
    <message>
        <source>When the build is done (and you press Finish), start a runner of this workload and open it.</source>
        <translation>Wenn der Build fertig ist (und Sie Fertigstellen drücken), einen Runner dieses Workloads starten und öffnen.</translation>
    </message>
    <message>
        <source>terminal</source>
        <translation>Terminal</translation>
    </message>
    <message>
        <source>files</source>
        <translation>Dateien</translation>
    </message>
    <message>
        <source>Not connected to a server.</source>
        <translation>Nicht mit einem Server verbunden.</translation>
    </message>
    <message>
        <source>Creating %1...</source>
        <translation>%1 wird angelegt...</translation>
    </message>
    <message>
        <source>Requesting the build of %1...</source>
        <translation>Build von %1 wird angefordert...</translation>
    </message>
    <message>
        <source>Every layer is built already.</source>
        <translation>Jede Schicht ist bereits gebaut.</translation>
    </message>
    <message>
        <source>Building %1...</source>
        <translation>%1 wird gebaut...</translation>
    </message>
    <message>
        <source>== layer %1, build %2 ==
</source>
        <translation>== Schicht %1, Build %2 ==
</translation>
    </message>
    <message>
        <source>%1 is ready. Press Finish%2.</source>
        <translation>%1 ist bereit. Drücken Sie Fertigstellen%2.</translation>
    </message>
    <message>
        <source> to start a runner</source>
        <translation>, um einen Runner zu starten</translation>
    </message>
    <message>
        <source>&lt;b&gt;Failed:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;Fehlgeschlagen:&lt;/b&gt; %1</translation>
    </message>
</context>
<context>
    <name>capsule::app::RemoteEditor</name>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Loading %1...</source>
        <translation>%1 wird geladen...</translation>
    </message>
    <message>
        <source>%1 does not exist on the runner.</source>
        <translation>%1 existiert auf dem Runner nicht.</translation>
    </message>
    <message>
        <source>%1 is a folder.</source>
        <translation>%1 ist ein Ordner.</translation>
    </message>
    <message>
        <source>%1 is %2; files over %3 are not opened in the editor (download it or open it with a system application).</source>
        <translation>%1 ist %2; Dateien über %3 werden nicht im Editor geöffnet (laden Sie sie herunter oder öffnen Sie sie mit einer Systemanwendung).</translation>
    </message>
    <message>
        <source>%1 is a binary file; it is not opened as text (download it or open it with a system application).</source>
        <translation>%1 ist eine Binärdatei; sie wird nicht als Text geöffnet (laden Sie sie herunter oder öffnen Sie sie mit einer Systemanwendung).</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Checking %1 on the runner...</source>
        <translation>%1 wird auf dem Runner geprüft...</translation>
    </message>
    <message>
        <source>%1 changed on the runner since it was opened.</source>
        <translation>%1 hat sich auf dem Runner geändert, seit es geöffnet wurde.</translation>
    </message>
    <message>
        <source>Not saved: %1 changed on the runner.</source>
        <translation>Nicht gespeichert: %1 hat sich auf dem Runner geändert.</translation>
    </message>
    <message>
        <source>File changed on the runner</source>
        <translation>Datei auf dem Runner geändert</translation>
    </message>
    <message>
        <source>%1 changed on the runner since you opened it.</source>
        <translation>%1 hat sich auf dem Runner geändert, seit Sie es geöffnet haben.</translation>
    </message>
    <message>
        <source>Overwrite it with your version, reload the runner&apos;s version (your changes are lost), or compare both?</source>
        <translation>Mit Ihrer Version überschreiben, die Version des Runners neu laden (Ihre Änderungen gehen verloren) oder beide vergleichen?</translation>
    </message>
    <message>
        <source>Overwrite</source>
        <translation>Überschreiben</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Neu laden</translation>
    </message>
    <message>
        <source>Compare...</source>
        <translation>Vergleichen...</translation>
    </message>
    <message>
        <source>Compare %1</source>
        <translation>%1 vergleichen</translation>
    </message>
    <message>
        <source>On the runner now</source>
        <translation>Jetzt auf dem Runner</translation>
    </message>
    <message>
        <source>Yours</source>
        <translation>Ihre</translation>
    </message>
    <message>
        <source>Overwrite with mine</source>
        <translation>Mit meiner überschreiben</translation>
    </message>
    <message>
        <source>Reload theirs</source>
        <translation>Deren neu laden</translation>
    </message>
    <message>
        <source>Saving %1...</source>
        <translation>%1 wird gespeichert...</translation>
    </message>
    <message>
        <source>Saved %1 (%2)</source>
        <translation>%1 gespeichert (%2)</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
</context>
<context>
    <name>capsule::app::RemoteFilesModel</name>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Modified</source>
        <translation>Geändert</translation>
    </message>
    <message>
        <source>Permissions</source>
        <translation>Berechtigungen</translation>
    </message>
</context>
<context>
    <name>capsule::app::ReviewPage</name>
    <message>
        <source>&amp;Build the layers after creating the workload</source>
        <translation>Die Schichten nach dem Anlegen des Workloads &amp;bauen</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>&amp;Save YAML...</source>
        <translation>YAML &amp;speichern...</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Überprüfen</translation>
    </message>
    <message>
        <source>The workload&apos;s onboard.yaml. Edit it here if you like: the other pages follow. Create sends it to the server.</source>
        <translation>Die onboard.yaml des Workloads. Bearbeiten Sie sie hier, wenn Sie möchten: Die anderen Seiten folgen. Anlegen sendet sie an den Server.</translation>
    </message>
    <message>
        <source>The complete onboard.yaml (contract 5). Edits are read back after a short pause; an error names its line and column.</source>
        <translation>Die vollständige onboard.yaml (Vertrag 5). Änderungen werden nach einer kurzen Pause zurückgelesen; ein Fehler nennt Zeile und Spalte.</translation>
    </message>
    <message>
        <source>Fix this first: %1</source>
        <translation>Beheben Sie zuerst dies: %1</translation>
    </message>
    <message>
        <source>Line %1, column %2: %3</source>
        <translation>Zeile %1, Spalte %2: %3</translation>
    </message>
    <message>
        <source>Workload key: &lt;b&gt;%1&lt;/b&gt; (computed here; the server reports the same key)</source>
        <translation>Workload-Schlüssel: &lt;b&gt;%1&lt;/b&gt; (hier berechnet; der Server meldet denselben Schlüssel)</translation>
    </message>
    <message>
        <source>Workload key: &lt;b&gt;%1&lt;/b&gt; (the workload still needs a valid name)</source>
        <translation>Workload-Schlüssel: &lt;b&gt;%1&lt;/b&gt; (der Workload braucht noch einen gültigen Namen)</translation>
    </message>
    <message>
        <source>Every setting is at its default.</source>
        <translation>Jede Einstellung hat ihren Standardwert.</translation>
    </message>
    <message>
        <source>Differs from the defaults: %1</source>
        <translation>Weicht von den Standardwerten ab: %1</translation>
    </message>
    <message>
        <source>No changes to the stored workload.</source>
        <translation>Keine Änderungen am gespeicherten Workload.</translation>
    </message>
    <message>
        <source>Changes to the stored workload:&lt;br&gt;&amp;nbsp;&amp;nbsp;%1</source>
        <translation>Änderungen am gespeicherten Workload:&lt;br&gt;&amp;nbsp;&amp;nbsp;%1</translation>
    </message>
    <message>
        <source>&lt;br&gt;Layers that will rebuild: %1</source>
        <translation>&lt;br&gt;Schichten, die neu gebaut werden: %1</translation>
    </message>
    <message>
        <source>The server will refuse this: an existing workload keeps its layers (count, names, init commands, drives) and tier; only the base image, runtime settings, start command and refresh settings can change. Save it under a new name instead.</source>
        <translation>Der Server wird dies ablehnen: Ein bestehender Workload behält seine Schichten (Anzahl, Namen, Init-Befehle, Laufwerke) und seine Stufe; nur Basis-Image, Laufzeiteinstellungen, Startbefehl und Refresh-Einstellungen können sich ändern. Speichern Sie ihn stattdessen unter einem neuen Namen.</translation>
    </message>
</context>
<context>
    <name>capsule::app::RunnerDetails</name>
    <message>
        <source>Block egress</source>
        <translation>Ausgehenden Verkehr blockieren</translation>
    </message>
    <message>
        <source>Sync file systems first</source>
        <translation>Zuerst Dateisysteme synchronisieren</translation>
    </message>
    <message>
        <source>Co&amp;nnect</source>
        <translation>&amp;Verbinden</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>&amp;Quarantine</source>
        <translation>&amp;Quarantäne</translation>
    </message>
    <message>
        <source>&amp;Unquarantine</source>
        <translation>Quarantäne auf&amp;heben</translation>
    </message>
    <message>
        <source>Runner:</source>
        <translation>Runner:</translation>
    </message>
    <message>
        <source>Workload:</source>
        <translation>Workload:</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>Seen:</source>
        <translation>Gesehen:</translation>
    </message>
    <message>
        <source>Host:</source>
        <translation>Host:</translation>
    </message>
    <message>
        <source>Session:</source>
        <translation>Sitzung:</translation>
    </message>
    <message>
        <source>Labels:</source>
        <translation>Labels:</translation>
    </message>
    <message>
        <source>Created:</source>
        <translation>Angelegt:</translation>
    </message>
    <message>
        <source>Tenant:</source>
        <translation>Mandant:</translation>
    </message>
    <message>
        <source>Proxy:</source>
        <translation>Proxy:</translation>
    </message>
    <message>
        <source>Network policy:</source>
        <translation>Netzwerkrichtlinie:</translation>
    </message>
    <message>
        <source>Last failure:</source>
        <translation>Letzter Fehler:</translation>
    </message>
    <message>
        <source>reason (kept with the runner)</source>
        <translation>Grund (wird mit dem Runner gespeichert)</translation>
    </message>
    <message>
        <source>Ask the control plane where the runner is now (re-resolve its host)</source>
        <translation>Die Steuerungsebene fragen, wo der Runner jetzt ist (Host neu auflösen)</translation>
    </message>
    <message>
        <source>Select a runner to see its details.</source>
        <translation>Wählen Sie einen Runner, um seine Details zu sehen.</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 (server state: %2)</source>
        <translation>%1 (Serverzustand: %2)</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 auf %2</translation>
    </message>
    <message>
        <source>%1 (%2 ago)</source>
        <translation>%1 (vor %2)</translation>
    </message>
    <message>
        <source>%1 (CA cert port %2)</source>
        <translation>%1 (CA-Zertifikat-Port %2)</translation>
    </message>
    <message>
        <source>%1 (quarantined: %2)</source>
        <translation>%1 (unter Quarantäne: %2)</translation>
    </message>
    <message>
        <source>the workload&apos;s own</source>
        <translation>die des Workloads</translation>
    </message>
    <message>
        <source>Connecting to %1</source>
        <translation>Verbindung zu %1</translation>
    </message>
    <message>
        <source> (host %1)</source>
        <translation> (Host %1)</translation>
    </message>
    <message>
        <source>Pausing %1</source>
        <translation>%1 wird pausiert</translation>
    </message>
    <message>
        <source>Quarantining %1</source>
        <translation>%1 wird unter Quarantäne gestellt</translation>
    </message>
    <message>
        <source>Unquarantining %1</source>
        <translation>Quarantäne von %1 wird aufgehoben</translation>
    </message>
</context>
<context>
    <name>capsule::app::RunnerService</name>
    <message>
        <source>Open in &amp;browser</source>
        <translation>Im &amp;Browser öffnen</translation>
    </message>
    <message>
        <source>&amp;Follow</source>
        <translation>&amp;Mitverfolgen</translation>
    </message>
    <message>
        <source>Re&amp;load logs</source>
        <translation>Protokoll neu &amp;laden</translation>
    </message>
    <message>
        <source>Open the start command&apos;s service through the host&apos;s proxy</source>
        <translation>Den Dienst des Startbefehls über den Proxy des Hosts öffnen</translation>
    </message>
    <message>
        <source>Keep showing new lines as the service writes them</source>
        <translation>Neue Zeilen anzeigen, sobald der Dienst sie schreibt</translation>
    </message>
    <message>
        <source>The start command&apos;s output appears here.</source>
        <translation>Die Ausgabe des Startbefehls erscheint hier.</translation>
    </message>
    <message>
        <source>TTL:</source>
        <translation>TTL:</translation>
    </message>
    <message>
        <source>Service:</source>
        <translation>Dienst:</translation>
    </message>
    <message>
        <source>Service URL:</source>
        <translation>Dienst-URL:</translation>
    </message>
    <message>
        <source>Service logs:</source>
        <translation>Dienst-Protokoll:</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>wird geladen…</translation>
    </message>
    <message numerus="yes">
        <source>%n s idle, then paused (auto-pause on)</source>
        <translation>
            <numerusform>%n s untätig, dann pausiert (Auto-Pause an)</numerusform>
            <numerusform>%n s untätig, dann pausiert (Auto-Pause an)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n s (auto-pause off: the runner is not paused)</source>
        <translation>
            <numerusform>%n s (Auto-Pause aus: der Runner wird nicht pausiert)</numerusform>
            <numerusform>%n s (Auto-Pause aus: der Runner wird nicht pausiert)</numerusform>
        </translation>
    </message>
    <message>
        <source>no TTL (auto-pause on, never idle long enough)</source>
        <translation>keine TTL (Auto-Pause an, nie lange genug untätig)</translation>
    </message>
    <message>
        <source>no TTL, auto-pause off</source>
        <translation>keine TTL, Auto-Pause aus</translation>
    </message>
    <message>
        <source>port %1: %2</source>
        <translation>Port %1: %2</translation>
    </message>
    <message>
        <source>port 10500 (default): %1</source>
        <translation>Port 10500 (Standard): %1</translation>
    </message>
    <message>
        <source>no start command</source>
        <translation>kein Startbefehl</translation>
    </message>
    <message>
        <source>unknown (%1)</source>
        <translation>unbekannt (%1)</translation>
    </message>
    <message>
        <source>— (the runner is not running)</source>
        <translation>— (der Runner läuft nicht)</translation>
    </message>
    <message>
        <source>[no service logs yet: the start command has not written anything]</source>
        <translation>[noch kein Dienst-Protokoll: der Startbefehl hat nichts geschrieben]</translation>
    </message>
    <message>
        <source>[service logs failed: %1 (request id %2)]</source>
        <translation>[Dienst-Protokoll fehlgeschlagen: %1 (Anfrage-ID %2)]</translation>
    </message>
</context>
<context>
    <name>capsule::app::RunnersModel</name>
    <message>
        <source>(new runner)</source>
        <translation>(neuer Runner)</translation>
    </message>
    <message>
        <source>Runner</source>
        <translation>Runner</translation>
    </message>
    <message>
        <source>Workload</source>
        <translation>Workload</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Alter</translation>
    </message>
    <message>
        <source>&lt; 1 min</source>
        <translation>&lt; 1 Min.</translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n Min.</numerusform>
            <numerusform>%n Min.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 Std. %2 Min.</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n Tag</numerusform>
            <numerusform>%n Tage</numerusform>
        </translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>Startet</translation>
    </message>
    <message>
        <source>Pausing</source>
        <translation>Wird pausiert</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Quarantined</source>
        <translation>Unter Quarantäne</translation>
    </message>
    <message>
        <source>Draining</source>
        <translation>Wird geleert</translation>
    </message>
    <message>
        <source>Stopping</source>
        <translation>Wird gestoppt</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>Up: ready for commands, terminals and files.</source>
        <translation>Bereit für Befehle, Terminals und Dateien.</translation>
    </message>
    <message>
        <source>Booting; commands, terminals and files work once it is running.</source>
        <translation>Startet; Befehle, Terminals und Dateien funktionieren, sobald er läuft.</translation>
    </message>
    <message>
        <source>Saving a snapshot; it can be resumed afterwards.</source>
        <translation>Speichert einen Snapshot; danach kann er fortgesetzt werden.</translation>
    </message>
    <message>
        <source>Paused: its files and processes are saved in a snapshot. Resume it to use it again (same runner id).</source>
        <translation>Pausiert: Seine Dateien und Prozesse sind in einem Snapshot gespeichert. Setzen Sie ihn fort, um ihn wieder zu verwenden (gleiche Runner-ID).</translation>
    </message>
    <message>
        <source>Quarantined: network egress blocked and the VM paused.</source>
        <translation>Unter Quarantäne: ausgehender Netzwerkverkehr blockiert und die VM pausiert.</translation>
    </message>
    <message>
        <source>Its host is draining: it keeps running but no new work lands there.</source>
        <translation>Sein Host wird geleert: Er läuft weiter, aber keine neue Arbeit landet dort.</translation>
    </message>
    <message>
        <source>Being released or already gone.</source>
        <translation>Wird freigegeben oder ist bereits weg.</translation>
    </message>
    <message>
        <source>Server state: %1</source>
        <translation>Serverzustand: %1</translation>
    </message>
    <message>
        <source>%1 (server state: %2)</source>
        <translation>%1 (Serverzustand: %2)</translation>
    </message>
    <message>
        <source>Starting...</source>
        <translation>Startet...</translation>
    </message>
</context>
<context>
    <name>capsule::app::RuntimePage</name>
    <message>
        <source>Pause idle runners (auto_pause)</source>
        <translation>Untätige Runner pausieren (auto_pause)</translation>
    </message>
    <message>
        <source>Runtime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>How runners of this workload live. The defaults suit most workloads.</source>
        <translation>Wie Runner dieses Workloads leben. Die Standardwerte passen für die meisten Workloads.</translation>
    </message>
    <message>
        <source>0 (never)</source>
        <translation>0 (nie)</translation>
    </message>
    <message>
        <source>Idle &amp;TTL:</source>
        <translation>Leerlauf-&amp;TTL:</translation>
    </message>
    <message>
        <source>Seconds (or a duration such as 15m) a runner may sit idle before it is paused (config.ttl). Default: 0, never.</source>
        <translation>Sekunden (oder eine Dauer wie 15m), die ein Runner untätig sein darf, bevor er pausiert wird (config.ttl). Standard: 0, nie.</translation>
    </message>
    <message>
        <source>Pause a runner after its idle TTL instead of keeping it running (config.auto_pause). Default: off.</source>
        <translation>Einen Runner nach seiner Leerlauf-TTL pausieren, statt ihn laufen zu lassen (config.auto_pause). Standard: aus.</translation>
    </message>
    <message>
        <source>server default</source>
        <translation>Standard des Servers</translation>
    </message>
    <message>
        <source>on: promote each finished build</source>
        <translation>an: jeden fertigen Build ausrollen</translation>
    </message>
    <message>
        <source>off: record builds as ready only</source>
        <translation>aus: Builds nur als bereit vermerken</translation>
    </message>
    <message>
        <source>Auto &amp;rollout:</source>
        <translation>Automatisches &amp;Ausrollen:</translation>
    </message>
    <message>
        <source>Promote the finished leaf version to new runners (config.auto_rollout). Default: not set (the SDK sends nothing; the Go tool sends true).</source>
        <translation>Die fertige oberste Version für neue Runner ausrollen (config.auto_rollout). Standard: nicht gesetzt (das SDK sendet nichts; das Go-Werkzeug sendet true).</translation>
    </message>
    <message>
        <source>0 (no limit)</source>
        <translation>0 (keine Grenze)</translation>
    </message>
    <message>
        <source>Session max &amp;age:</source>
        <translation>Höchst&amp;alter der Sitzung:</translation>
    </message>
    <message>
        <source>Seconds (or a duration such as 24h) a paused session is kept (config.session_max_age_seconds). Default: 0.</source>
        <translation>Sekunden (oder eine Dauer wie 24h), die eine pausierte Sitzung aufbewahrt wird (config.session_max_age_seconds). Standard: 0.</translation>
    </message>
    <message>
        <source>default (8 GiB)</source>
        <translation>Standard (8 GiB)</translation>
    </message>
    <message>
        <source> GiB</source>
        <translation> GiB</translation>
    </message>
    <message>
        <source>Root &amp;filesystem:</source>
        <translation>Wurzel-&amp;Dateisystem:</translation>
    </message>
    <message>
        <source>Size of each runner&apos;s root filesystem (config.rootfs_size_gb). Default: 8 GiB.</source>
        <translation>Größe des Wurzel-Dateisystems jedes Runners (config.rootfs_size_gb). Standard: 8 GiB.</translation>
    </message>
    <message>
        <source>default (50 GiB)</source>
        <translation>Standard (50 GiB)</translation>
    </message>
    <message>
        <source>&amp;Workspace:</source>
        <translation>&amp;Workspace:</translation>
    </message>
    <message>
        <source>Size of the /workspace drive layers get when they define no drives (config.workspace_size_gb). Default: 50 GiB. Changes the workload key.</source>
        <translation>Größe des Laufwerks /workspace, das Schichten ohne eigene Laufwerke bekommen (config.workspace_size_gb). Standard: 50 GiB. Ändert den Workload-Schlüssel.</translation>
    </message>
    <message>
        <source>Runner &amp;user:</source>
        <translation>Runner-&amp;Benutzer:</translation>
    </message>
    <message>
        <source>User for exec, terminals and non-root commands (config.runner_user). Default: runner.</source>
        <translation>Benutzer für Exec, Terminals und Befehle ohne root (config.runner_user). Standard: runner.</translation>
    </message>
    <message>
        <source>Idle TTL</source>
        <translation>Leerlauf-TTL</translation>
    </message>
    <message>
        <source>Session max age</source>
        <translation>Höchstalter der Sitzung</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a user name (lowercase letters, digits, _ and -).</source>
        <translation>„%1“ ist kein Benutzername (Kleinbuchstaben, Ziffern, _ und -).</translation>
    </message>
</context>
<context>
    <name>capsule::app::ServerConnection</name>
    <message>
        <source>The embedded capsule-local server stopped (%1) and was restarted; runners it ran are gone.</source>
        <translation>Der eingebettete capsule-local-Server wurde beendet (%1) und neu gestartet; die Runner, die er ausführte, sind weg.</translation>
    </message>
    <message numerus="yes">
        <source>The embedded capsule-local server stopped and was not restarted (%n restart(s) in the last two minutes already): %1</source>
        <translation>
            <numerusform>Der eingebettete capsule-local-Server wurde beendet und nicht neu gestartet (in den letzten zwei Minuten bereits %n Neustart): %1</numerusform>
            <numerusform>Der eingebettete capsule-local-Server wurde beendet und nicht neu gestartet (in den letzten zwei Minuten bereits %n Neustarts): %1</numerusform>
        </translation>
    </message>
    <message>
        <source>The embedded capsule-local server stopped (%1) and could not be started again: %2</source>
        <translation>Der eingebettete capsule-local-Server wurde beendet (%1) und konnte nicht erneut gestartet werden: %2</translation>
    </message>
    <message>
        <source>embedded</source>
        <translation>eingebettet</translation>
    </message>
    <message>
        <source>remote</source>
        <translation>entfernt</translation>
    </message>
    <message>
        <source>(starting)</source>
        <translation>(startet)</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Starting the embedded capsule-local server...</source>
        <translation>Der eingebettete capsule-local-Server wird gestartet...</translation>
    </message>
    <message>
        <source>Connecting to %1 (%2)...</source>
        <translation>Verbindung zu %1 (%2) wird hergestellt...</translation>
    </message>
    <message>
        <source>Connected to %1 (%2), 1 host</source>
        <translation>Verbunden mit %1 (%2), 1 Host</translation>
    </message>
    <message>
        <source>Connected to %1 (%2), %3 hosts</source>
        <translation>Verbunden mit %1 (%2), %3 Hosts</translation>
    </message>
    <message>
        <source>Error: %1 (%2, %3)</source>
        <translation>Fehler: %1 (%2, %3)</translation>
    </message>
    <message>
        <source>The embedded server stopped (%1); restarting it (attempt %2 of %3)...</source>
        <translation>Der eingebettete Server wurde beendet (%1); er wird neu gestartet (Versuch %2 von %3)...</translation>
    </message>
</context>
<context>
    <name>capsule::app::SettingsDialog</name>
    <message>
        <source>Tokens are kept in the system keychain when one is available.</source>
        <translation>Tokens werden im System-Schlüsselbund gespeichert, wenn einer verfügbar ist.</translation>
    </message>
    <message>
        <source>No keychain support: tokens are kept in a file readable only by you.</source>
        <translation>Keine Schlüsselbund-Unterstützung: Tokens werden in einer Datei gespeichert, die nur Sie lesen können.</translation>
    </message>
    <message>
        <source>CAPSULE_BASE_URL is set in the environment and wins over these settings.</source>
        <translation>CAPSULE_BASE_URL ist in der Umgebung gesetzt und hat Vorrang vor diesen Einstellungen.</translation>
    </message>
    <message>
        <source>Enter the control plane URL.</source>
        <translation>Geben Sie die URL der Steuerungsebene ein.</translation>
    </message>
    <message>
        <source>The URL must look like http://host:port or https://host.</source>
        <translation>Die URL muss wie http://host:port oder https://host aussehen.</translation>
    </message>
</context>
<context>
    <name>capsule::app::SnapshotsModel</name>
    <message>
        <source>%1 (current)</source>
        <translation>%1 (aktuell)</translation>
    </message>
    <message numerus="yes">
        <source>%n byte(s)</source>
        <translation>
            <numerusform>%n Byte</numerusform>
            <numerusform>%n Bytes</numerusform>
        </translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Angelegt</translation>
    </message>
    <message>
        <source>Commit</source>
        <translation>Commit</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Workload</source>
        <translation>Workload</translation>
    </message>
</context>
<context>
    <name>capsule::app::SnapshotsView</name>
    <message>
        <source>&lt;p&gt;&lt;b&gt;No snapshots.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Snapshots are the saved images the server restores runners from; they appear after builds and pauses.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Keine Snapshots.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Snapshots sind die gespeicherten Images, aus denen der Server Runner wiederherstellt; sie erscheinen nach Builds und Pausen.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Loading snapshots...</source>
        <translation>Snapshots werden geladen...</translation>
    </message>
    <message numerus="yes">
        <source>%n snapshot(s)</source>
        <translation>
            <numerusform>%n Snapshot</numerusform>
            <numerusform>%n Snapshots</numerusform>
        </translation>
    </message>
    <message>
        <source> · current version %1</source>
        <translation> · aktuelle Version %1</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Snapshots could not be listed.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;%1&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Snapshots konnten nicht aufgelistet werden.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;%1&lt;/p&gt;</translation>
    </message>
    <message>
        <source>%1 (request id %2)</source>
        <translation>%1 (Anfrage-ID %2)</translation>
    </message>
    <message>
        <source>All workloads</source>
        <translation>Alle Workloads</translation>
    </message>
    <message>
        <source>&amp;Workload:</source>
        <translation>&amp;Workload:</translation>
    </message>
</context>
<context>
    <name>capsule::app::StartPage</name>
    <message>
        <source>Start command</source>
        <translation>Startbefehl</translation>
    </message>
    <message>
        <source>A service each runner starts when it is ready, e.g. a web server. Leave the command empty for none.</source>
        <translation>Ein Dienst, den jeder Runner startet, wenn er bereit ist, z. B. ein Webserver. Lassen Sie den Befehl für keinen leer.</translation>
    </message>
    <message>
        <source>&amp;Command:</source>
        <translation>&amp;Befehl:</translation>
    </message>
    <message>
        <source>start_command.command: the program and its arguments (quote arguments with spaces). Run directly, not through a shell. Default: none.</source>
        <translation>start_command.command: das Programm und seine Argumente (Argumente mit Leerzeichen in Anführungszeichen). Direkt ausgeführt, nicht über eine Shell. Standard: keiner.</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <source>start_command.port: the port the service listens on. Default: none.</source>
        <translation>start_command.port: der Port, auf dem der Dienst lauscht. Standard: keiner.</translation>
    </message>
    <message>
        <source>&amp;Health path:</source>
        <translation>&amp;Health-Pfad:</translation>
    </message>
    <message>
        <source>start_command.health_path: an HTTP path that answers once the service is up. Default: none.</source>
        <translation>start_command.health_path: ein HTTP-Pfad, der antwortet, sobald der Dienst läuft. Standard: keiner.</translation>
    </message>
    <message>
        <source>&amp;Environment:</source>
        <translation>&amp;Umgebung:</translation>
    </message>
    <message>
        <source>start_command.env: NAME=value, one per line. Default: none.</source>
        <translation>start_command.env: NAME=Wert, einer pro Zeile. Standard: keine.</translation>
    </message>
    <message>
        <source>the runner user</source>
        <translation>der Runner-Benutzer</translation>
    </message>
    <message>
        <source>Run &amp;as:</source>
        <translation>Ausführen &amp;als:</translation>
    </message>
    <message>
        <source>start_command.run_as: the user the service runs as. Default: the runner user.</source>
        <translation>start_command.run_as: der Benutzer, als der der Dienst läuft. Standard: der Runner-Benutzer.</translation>
    </message>
    <message>
        <source>A port, health path or environment needs a command to start.</source>
        <translation>Ein Port, Health-Pfad oder eine Umgebung braucht einen Befehl zum Starten.</translation>
    </message>
    <message>
        <source>The health path starts with / (e.g. /healthz).</source>
        <translation>Der Health-Pfad beginnt mit / (z. B. /healthz).</translation>
    </message>
    <message>
        <source>A health path needs the port it is served on.</source>
        <translation>Ein Health-Pfad braucht den Port, auf dem er bereitgestellt wird.</translation>
    </message>
</context>
<context>
    <name>capsule::app::StartRunnerDialog</name>
    <message>
        <source>Open a &amp;terminal when ready</source>
        <translation>Ein &amp;Terminal öffnen, wenn bereit</translation>
    </message>
    <message>
        <source>Open the &amp;files when ready</source>
        <translation>Die &amp;Dateien öffnen, wenn bereit</translation>
    </message>
    <message>
        <source>Start Runner - %1</source>
        <translation>Runner starten - %1</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Add Label</source>
        <translation>Label hinzufügen</translation>
    </message>
    <message>
        <source>Remove Label</source>
        <translation>Label entfernen</translation>
    </message>
    <message>
        <source>new session (the server picks an id)</source>
        <translation>neue Sitzung (der Server wählt eine ID)</translation>
    </message>
    <message>
        <source>Type an id to name the new session.</source>
        <translation>Geben Sie eine ID ein, um die neue Sitzung zu benennen.</translation>
    </message>
    <message>
        <source>Pick a paused session to resume it, or type an id to name a new one.</source>
        <translation>Wählen Sie eine pausierte Sitzung zum Fortsetzen oder geben Sie eine ID für eine neue ein.</translation>
    </message>
    <message>
        <source>the workload&apos;s own</source>
        <translation>die des Workloads</translation>
    </message>
    <message>
        <source>custom JSON...</source>
        <translation>eigenes JSON...</translation>
    </message>
    <message>
        <source>host:port of the credential broker (optional)</source>
        <translation>host:port des Zugangsdaten-Brokers (optional)</translation>
    </message>
    <message>
        <source>default (8443 with a proxy)</source>
        <translation>Standard (8443 mit einem Proxy)</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>the connection&apos;s default</source>
        <translation>Standard der Verbindung</translation>
    </message>
    <message>
        <source>Labels:</source>
        <translation>Labels:</translation>
    </message>
    <message>
        <source>&amp;Session:</source>
        <translation>&amp;Sitzung:</translation>
    </message>
    <message>
        <source>&amp;Network policy:</source>
        <translation>&amp;Netzwerkrichtlinie:</translation>
    </message>
    <message>
        <source>&amp;Proxy address:</source>
        <translation>&amp;Proxy-Adresse:</translation>
    </message>
    <message>
        <source>&amp;CA cert port:</source>
        <translation>&amp;CA-Zertifikat-Port:</translation>
    </message>
    <message>
        <source>T&amp;enant id:</source>
        <translation>Man&amp;danten-ID:</translation>
    </message>
    <message>
        <source>Startup &amp;timeout:</source>
        <translation>Zeitlimit beim S&amp;tart:</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <source>Label %1 has a value but no key.</source>
        <translation>Label %1 hat einen Wert, aber keinen Schlüssel.</translation>
    </message>
    <message>
        <source>The label key &quot;%1&quot; starts with _: such keys are reserved for the server.</source>
        <translation>Der Label-Schlüssel „%1“ beginnt mit _: Solche Schlüssel sind dem Server vorbehalten.</translation>
    </message>
    <message>
        <source>The label key &quot;%1&quot; appears twice.</source>
        <translation>Der Label-Schlüssel „%1“ kommt zweimal vor.</translation>
    </message>
    <message>
        <source>Type the policy as a JSON object, or pick a preset.</source>
        <translation>Geben Sie die Richtlinie als JSON-Objekt ein oder wählen Sie eine Vorgabe.</translation>
    </message>
    <message>
        <source>Not valid JSON at line %1 (offset %2): %3</source>
        <translation>Kein gültiges JSON in Zeile %1 (Offset %2): %3</translation>
    </message>
    <message>
        <source>The policy must be a JSON object ({...}).</source>
        <translation>Die Richtlinie muss ein JSON-Objekt sein ({...}).</translation>
    </message>
    <message>
        <source>Write the proxy address as host:port, e.g. 10.0.0.1:3128.</source>
        <translation>Schreiben Sie die Proxy-Adresse als host:port, z. B. 10.0.0.1:3128.</translation>
    </message>
</context>
<context>
    <name>capsule::app::TemplatePage</name>
    <message>
        <source>Blank workload</source>
        <translation>Leerer Workload</translation>
    </message>
    <message>
        <source>Start from nothing: one empty layer to fill in.</source>
        <translation>Bei null anfangen: eine leere Schicht zum Ausfüllen.</translation>
    </message>
    <message>
        <source>Python with pip requirements</source>
        <translation>Python mit pip-Anforderungen</translation>
    </message>
    <message>
        <source>python:3.12-slim; a deps layer installs /workspace/requirements.txt when present.</source>
        <translation>python:3.12-slim; eine Abhängigkeitsschicht installiert /workspace/requirements.txt, falls vorhanden.</translation>
    </message>
    <message>
        <source>Node with npm</source>
        <translation>Node mit npm</translation>
    </message>
    <message>
        <source>node:20-slim; a deps layer runs npm install in /workspace when a package.json is there.</source>
        <translation>node:20-slim; eine Abhängigkeitsschicht führt npm install in /workspace aus, wenn dort eine package.json liegt.</translation>
    </message>
    <message>
        <source>Debian shell with a service on a port</source>
        <translation>Debian-Shell mit einem Dienst auf einem Port</translation>
    </message>
    <message>
        <source>debian:12; a site layer installs python3 and writes a page; each runner serves it on port 8080.</source>
        <translation>debian:12; eine Site-Schicht installiert python3 und schreibt eine Seite; jeder Runner stellt sie auf Port 8080 bereit.</translation>
    </message>
    <message>
        <source>Start from</source>
        <translation>Ausgangspunkt</translation>
    </message>
    <message>
        <source>A blank workload or a ready-made one; every field stays editable.</source>
        <translation>Ein leerer oder ein fertiger Workload; jedes Feld bleibt bearbeitbar.</translation>
    </message>
</context>
<context>
    <name>capsule::app::TenantPage</name>
    <message>
        <source>Tenant (optional)</source>
        <translation>Mandant (optional)</translation>
    </message>
    <message>
        <source>Only for multi-tenant servers that build layers in a tenant&apos;s own GCP project. Leave everything empty otherwise. With a tenant project the server stores the workload as &lt;project&gt;--&lt;name&gt;; the workload key is unchanged.</source>
        <translation>Nur für mandantenfähige Server, die Schichten im eigenen GCP-Projekt eines Mandanten bauen. Lassen Sie sonst alles leer. Mit einem Mandantenprojekt speichert der Server den Workload als &lt;project&gt;--&lt;name&gt;; der Workload-Schlüssel bleibt unverändert.</translation>
    </message>
    <message>
        <source>GCP &amp;project:</source>
        <translation>GCP-&amp;Projekt:</translation>
    </message>
    <message>
        <source>config.tenant_gcp_project: the tenant&apos;s project the builder VMs run in.</source>
        <translation>config.tenant_gcp_project: das Projekt des Mandanten, in dem die Builder-VMs laufen.</translation>
    </message>
    <message>
        <source>&amp;Zone:</source>
        <translation>&amp;Zone:</translation>
    </message>
    <message>
        <source>config.tenant_gcp_zone: the zone of the builder VMs.</source>
        <translation>config.tenant_gcp_zone: die Zone der Builder-VMs.</translation>
    </message>
    <message>
        <source>&amp;Network:</source>
        <translation>&amp;Netzwerk:</translation>
    </message>
    <message>
        <source>config.tenant_network: the VPC network of the builder VMs.</source>
        <translation>config.tenant_network: das VPC-Netzwerk der Builder-VMs.</translation>
    </message>
    <message>
        <source>&amp;Subnet:</source>
        <translation>&amp;Subnetz:</translation>
    </message>
    <message>
        <source>config.tenant_subnet: the subnetwork of the builder VMs.</source>
        <translation>config.tenant_subnet: das Subnetz der Builder-VMs.</translation>
    </message>
    <message>
        <source>Service &amp;account:</source>
        <translation>Dienst&amp;konto:</translation>
    </message>
    <message>
        <source>config.tenant_service_account: the identity the builder VMs run as.</source>
        <translation>config.tenant_service_account: die Identität, als die die Builder-VMs laufen.</translation>
    </message>
    <message>
        <source> Default: not set.</source>
        <translation> Standard: nicht gesetzt.</translation>
    </message>
    <message>
        <source>No spaces, please.</source>
        <translation>Bitte keine Leerzeichen.</translation>
    </message>
</context>
<context>
    <name>capsule::app::TerminalTabs</name>
    <message>
        <source>&lt;p&gt;&lt;b&gt;No terminal open.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Terminals are shells inside a running runner.&lt;br&gt;Select a runner on the Runners tab and choose &lt;i&gt;Open Terminal&lt;/i&gt; (Ctrl+Shift+T), or double-click the runner.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Kein Terminal geöffnet.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Terminals sind Shells in einem laufenden Runner.&lt;br&gt;Wählen Sie auf dem Tab Runner einen Runner und dann &lt;i&gt;Terminal öffnen&lt;/i&gt; (Strg+Umschalt+T) oder doppelklicken Sie den Runner.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>runner</source>
        <translation>Runner</translation>
    </message>
    <message>
        <source>Shell on runner %1 (%2)</source>
        <translation>Shell auf Runner %1 (%2)</translation>
    </message>
    <message>
        <source>exited %1</source>
        <translation>beendet %1</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>getrennt</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>verbindet</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>capsule::app::TransfersPanel</name>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Nach</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Abbrechen</translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>C&amp;lear Finished</source>
        <translation>&amp;Fertige entfernen</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>Res&amp;ume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>Hold queued transfers back</source>
        <translation>Wartende Übertragungen zurückhalten</translation>
    </message>
    <message>
        <source>Transfers running at once</source>
        <translation>Gleichzeitig laufende Übertragungen</translation>
    </message>
    <message>
        <source>At once:</source>
        <translation>Gleichzeitig:</translation>
    </message>
    <message>
        <source>%1 running, %2 queued, %3 done, %4 failed</source>
        <translation>%1 laufen, %2 warten, %3 fertig, %4 fehlgeschlagen</translation>
    </message>
    <message>
        <source> - %1 of %2</source>
        <translation> - %1 von %2</translation>
    </message>
    <message>
        <source>, %1/s</source>
        <translation>, %1/s</translation>
    </message>
    <message>
        <source>Transfers finished: %1 done, %2 failed</source>
        <translation>Übertragungen beendet: %1 fertig, %2 fehlgeschlagen</translation>
    </message>
    <message numerus="yes">
        <source>Transfers finished: %n done</source>
        <translation>
            <numerusform>Übertragungen beendet: %n fertig</numerusform>
            <numerusform>Übertragungen beendet: %n fertig</numerusform>
        </translation>
    </message>
    <message>
        <source>%1% (%2 of %3)</source>
        <translation>%1 % (%2 von %3)</translation>
    </message>
    <message numerus="yes">
        <source>, %n s left</source>
        <translation>
            <numerusform>, noch %n s</numerusform>
            <numerusform>, noch %n s</numerusform>
        </translation>
    </message>
    <message>
        <source>, %1/%2 files</source>
        <translation>, %1/%2 Dateien</translation>
    </message>
    <message>
        <source>%1:%2</source>
        <translation>%1:%2</translation>
    </message>
    <message>
        <source>Copy of %1 on runner %2 to %3 on runner %4</source>
        <translation>Kopie von %1 auf Runner %2 nach %3 auf Runner %4</translation>
    </message>
    <message>
        <source>Upload of %1 to %2 on runner %3</source>
        <translation>Upload von %1 nach %2 auf Runner %3</translation>
    </message>
    <message>
        <source>Download of %1 from runner %2 to %3</source>
        <translation>Download von %1 von Runner %2 nach %3</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>Wartet</translation>
    </message>
    <message>
        <source>Done (verified)</source>
        <translation>Fertig (geprüft)</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>, owned by root: %1</source>
        <translation>, gehört root: %1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>%1 in %2 s (%3/s)</source>
        <translation>%1 in %2 s (%3/s)</translation>
    </message>
    <message numerus="yes">
        <source>, %n files</source>
        <translation>
            <numerusform>, %n Datei</numerusform>
            <numerusform>, %n Dateien</numerusform>
        </translation>
    </message>
    <message>
        <source>Preparing</source>
        <translation>Vorbereitung</translation>
    </message>
    <message>
        <source>Transferring</source>
        <translation>Übertragung</translation>
    </message>
    <message>
        <source>Verifying sizes</source>
        <translation>Größen werden geprüft</translation>
    </message>
    <message>
        <source>Comparing sha256</source>
        <translation>sha256 wird verglichen</translation>
    </message>
    <message>
        <source>Finishing</source>
        <translation>Abschluss</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
</context>
<context>
    <name>capsule::app::WizardPage</name>
    <message>
        <source>Advanced</source>
        <translation>Erweitert</translation>
    </message>
</context>
<context>
    <name>capsule::app::WorkloadWizard</name>
    <message>
        <source>New Workload</source>
        <translation>Neuer Workload</translation>
    </message>
    <message>
        <source>Skip to &amp;review</source>
        <translation>Zur Über&amp;prüfung springen</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Anlegen</translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation>&amp;Fertigstellen</translation>
    </message>
    <message>
        <source>Workload from %1</source>
        <translation>Workload aus %1</translation>
    </message>
    <message>
        <source>This file uses the legacy snapshot_commands, which only the Go onboard tool reads (as one layer &quot;workload&quot;); the server ignores them. Add a layer with these commands (they are kept in the YAML until you remove them).</source>
        <translation>Diese Datei verwendet die veralteten snapshot_commands, die nur das Go-Onboard-Werkzeug liest (als eine Schicht „workload“); der Server ignoriert sie. Fügen Sie eine Schicht mit diesen Befehlen hinzu (sie bleiben in der YAML, bis Sie sie entfernen).</translation>
    </message>
    <message>
        <source>Edit Workload %1</source>
        <translation>Workload %1 bearbeiten</translation>
    </message>
    <message>
        <source>The name of a stored workload cannot change; save the YAML and open it as a new workload instead.</source>
        <translation>Der Name eines gespeicherten Workloads kann sich nicht ändern; speichern Sie die YAML und öffnen Sie sie stattdessen als neuen Workload.</translation>
    </message>
    <message>
        <source>Update</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>The workload is not complete: %1</source>
        <translation>Der Workload ist nicht vollständig: %1</translation>
    </message>
    <message>
        <source>Save onboard.yaml</source>
        <translation>onboard.yaml speichern</translation>
    </message>
    <message>
        <source>YAML files (*.yaml *.yml)</source>
        <translation>YAML-Dateien (*.yaml *.yml)</translation>
    </message>
    <message>
        <source>&lt;br&gt;Saved to %1</source>
        <translation>&lt;br&gt;Gespeichert in %1</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>%1 kann nicht gespeichert werden: %2</translation>
    </message>
</context>
<context>
    <name>capsule::app::WorkloadsModel</name>
    <message>
        <source>Leaf workload key (used to start runners)</source>
        <translation>Oberster Workload-Schlüssel (zum Starten von Runnern)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Workload key</source>
        <translation>Workload-Schlüssel</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <source>Layers / build</source>
        <translation>Schichten / Build</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>no layers</source>
        <translation>keine Schichten</translation>
    </message>
    <message>
        <source>ready, %1</source>
        <translation>bereit, %1</translation>
    </message>
    <message>
        <source>not built, %1/%2 layers active</source>
        <translation>nicht gebaut, %1/%2 Schichten aktiv</translation>
    </message>
    <message>
        <source>%1, %2/%3 layers active</source>
        <translation>%1, %2/%3 Schichten aktiv</translation>
    </message>
</context>
<context>
    <name>capsule::app::fieldcheck</name>
    <message>
        <source>This name is too short (%1 character(s)).</source>
        <translation>Dieser Name ist zu kurz (%1 Zeichen).</translation>
    </message>
    <message>
        <source>This name is too long (%1 characters).</source>
        <translation>Dieser Name ist zu lang (%1 Zeichen).</translation>
    </message>
    <message>
        <source>A name cannot start or end with a dash.</source>
        <translation>Ein Name darf nicht mit einem Bindestrich beginnen oder enden.</translation>
    </message>
    <message>
        <source>Capital letters are not allowed (&quot;%1&quot;).</source>
        <translation>Großbuchstaben sind nicht erlaubt („%1“).</translation>
    </message>
    <message>
        <source>Spaces are not allowed.</source>
        <translation>Leerzeichen sind nicht erlaubt.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not allowed.</source>
        <translation>„%1“ ist nicht erlaubt.</translation>
    </message>
    <message>
        <source>Use 3 to 64 lowercase letters, digits and dashes, starting and ending with a letter or digit (e.g. my-app-2).</source>
        <translation>Verwenden Sie 3 bis 64 Kleinbuchstaben, Ziffern und Bindestriche, beginnend und endend mit einem Buchstaben oder einer Ziffer (z. B. my-app-2).</translation>
    </message>
    <message>
        <source>A layer needs a name.</source>
        <translation>Eine Schicht braucht einen Namen.</translation>
    </message>
    <message>
        <source>&quot;_platform&quot; is reserved for the base image&apos;s layer.</source>
        <translation>„_platform“ ist der Schicht des Basis-Images vorbehalten.</translation>
    </message>
    <message>
        <source>A layer name cannot start or end with a space.</source>
        <translation>Ein Schichtname darf nicht mit einem Leerzeichen beginnen oder enden.</translation>
    </message>
    <message>
        <source> The server refuses schedules such as &quot;%1&quot;; give an interval.</source>
        <translation> Der Server lehnt Zeitpläne wie „%1“ ab; geben Sie ein Intervall an.</translation>
    </message>
    <message>
        <source> A number needs a unit: &quot;%1s&quot;, &quot;%1m&quot; or &quot;%1h&quot;.</source>
        <translation> Eine Zahl braucht eine Einheit: „%1s“, „%1m“ oder „%1h“.</translation>
    </message>
    <message>
        <source> Days are not a unit; write &quot;24h&quot; for a day.</source>
        <translation> Tage sind keine Einheit; schreiben Sie „24h“ für einen Tag.</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is not a Go duration such as 30m, 6h or 1h30m.</source>
        <translation>%1: „%2“ ist keine Go-Dauer wie 30m, 6h oder 1h30m.</translation>
    </message>
    <message>
        <source>%1 cannot be negative.</source>
        <translation>%1 darf nicht negativ sein.</translation>
    </message>
    <message>
        <source>%1: &quot;%2&quot; is neither a number of seconds nor a duration such as 15m or 2h.</source>
        <translation>%1: „%2“ ist weder eine Anzahl Sekunden noch eine Dauer wie 15m oder 2h.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a CIDR: add the prefix length, e.g. %1/32.</source>
        <translation>„%1“ ist kein CIDR: Fügen Sie die Präfixlänge hinzu, z. B. %1/32.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a CIDR: &quot;%2&quot; is not an IP address.</source>
        <translation>„%1“ ist kein CIDR: „%2“ ist keine IP-Adresse.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a CIDR: the prefix length must be 0 to %2.</source>
        <translation>„%1“ ist kein CIDR: Die Präfixlänge muss 0 bis %2 sein.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is too broad: internal CIDRs may be at most /%2.</source>
        <translation>„%1“ ist zu breit: Interne CIDRs dürfen höchstens /%2 sein.</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a port or a range such as 8000-8080.</source>
        <translation>„%1“ ist kein Port und kein Bereich wie 8000-8080.</translation>
    </message>
    <message>
        <source>Port %1: ports are 1 to 65535.</source>
        <translation>Port %1: Ports sind 1 bis 65535.</translation>
    </message>
    <message>
        <source>Port range %1 ends before it starts.</source>
        <translation>Der Portbereich %1 endet, bevor er beginnt.</translation>
    </message>
    <message>
        <source>Line %1: write NAME=value.</source>
        <translation>Zeile %1: Schreiben Sie NAME=Wert.</translation>
    </message>
    <message>
        <source>Line %1: &quot;%2&quot; is not a variable name (letters, digits and _, not starting with a digit).</source>
        <translation>Zeile %1: „%2“ ist kein Variablenname (Buchstaben, Ziffern und _, nicht mit einer Ziffer beginnend).</translation>
    </message>
    <message>
        <source>%1 must be %2 to %3 GiB.</source>
        <translation>%1 muss %2 bis %3 GiB betragen.</translation>
    </message>
</context>
<context>
    <name>capsule::terminal::TerminalSearchBar</name>
    <message>
        <source>Match case</source>
        <translation>Groß-/Kleinschreibung beachten</translation>
    </message>
    <message>
        <source>Find in terminal</source>
        <translation>Im Terminal suchen</translation>
    </message>
    <message>
        <source>Previous match (Shift+Enter)</source>
        <translation>Vorheriger Treffer (Umschalt+Eingabe)</translation>
    </message>
    <message>
        <source>Next match (Enter)</source>
        <translation>Nächster Treffer (Eingabe)</translation>
    </message>
    <message>
        <source>Close (Escape)</source>
        <translation>Schließen (Escape)</translation>
    </message>
    <message>
        <source>no match</source>
        <translation>kein Treffer</translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n Treffer</numerusform>
            <numerusform>%n Treffer</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>capsule::terminal::TerminalSession</name>
    <message>
        <source>Reconnecting...</source>
        <translation>Verbindung wird wiederhergestellt...</translation>
    </message>
    <message>
        <source>[process exited with code %1] Press Enter to reconnect.</source>
        <translation>[Prozess mit Code %1 beendet] Drücken Sie Eingabe zum erneuten Verbinden.</translation>
    </message>
    <message>
        <source>connection closed</source>
        <translation>Verbindung geschlossen</translation>
    </message>
    <message>
        <source>[disconnected: %1] Press Enter to reconnect.</source>
        <translation>[getrennt: %1] Drücken Sie Eingabe zum erneuten Verbinden.</translation>
    </message>
</context>
<context>
    <name>capsule::terminal::TerminalView</name>
    <message>
        <source>Paste several lines?</source>
        <translation>Mehrere Zeilen einfügen?</translation>
    </message>
    <message numerus="yes">
        <source>The clipboard holds %n line(s). Pasted into a shell, each line runs as a command.</source>
        <translation>
            <numerusform>Die Zwischenablage enthält %n Zeile. In eine Shell eingefügt, wird jede Zeile als Befehl ausgeführt.</numerusform>
            <numerusform>Die Zwischenablage enthält %n Zeilen. In eine Shell eingefügt, wird jede Zeile als Befehl ausgeführt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Open Link</source>
        <translation>Link öffnen</translation>
    </message>
    <message>
        <source>Copy Link Address</source>
        <translation>Linkadresse kopieren</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>Einfügen</translation>
    </message>
    <message>
        <source>Select All</source>
        <translation>Alles auswählen</translation>
    </message>
    <message>
        <source>Find...</source>
        <translation>Suchen...</translation>
    </message>
    <message>
        <source>Clear Scrollback</source>
        <translation>Scrollback leeren</translation>
    </message>
    <message>
        <source>Send Signal</source>
        <translation>Signal senden</translation>
    </message>
    <message>
        <source>Interrupt (SIGINT)</source>
        <translation>Unterbrechen (SIGINT)</translation>
    </message>
    <message>
        <source>Terminate (SIGTERM)</source>
        <translation>Beenden (SIGTERM)</translation>
    </message>
    <message>
        <source>Kill (SIGKILL)</source>
        <translation>Beenden erzwingen (SIGKILL)</translation>
    </message>
</context>
</TS>
