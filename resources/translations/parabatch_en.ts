<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
  <context>
    <name>Cluster</name>
    <message numerus="yes">
      <source>%Ln thread(s)</source>
      <translation>
        <numerusform>%Ln thread</numerusform>
        <numerusform>%Ln threads</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Connected to {address}: %Ln worker(s), {threads}.</source>
      <translation>
        <numerusform>Connected to {address}: %Ln worker, {threads}.</numerusform>
        <numerusform>Connected to {address}: %Ln workers, {threads}.</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>FileList</name>
    <message numerus="yes">
      <source>%Ln file(s)</source>
      <translation>
        <numerusform>%Ln file</numerusform>
        <numerusform>%Ln files</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Remove all %Ln file(s) from the list?</source>
      <translation>
        <numerusform>Remove all %Ln file from the list?</numerusform>
        <numerusform>Remove all %Ln files from the list?</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%Ln file(s) · {size}</source>
      <translation>
        <numerusform>%Ln file · {size}</numerusform>
        <numerusform>%Ln files · {size}</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>{shown} of %Ln file(s) shown · {size}</source>
      <translation>
        <numerusform>{shown} of %Ln file shown · {size}</numerusform>
        <numerusform>{shown} of %Ln files shown · {size}</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%Ln folder(s)</source>
      <translation>
        <numerusform>%Ln folder</numerusform>
        <numerusform>%Ln folders</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Scanning… %Ln file(s) in {folders}, {skipped} skipped</source>
      <translation>
        <numerusform>Scanning… %Ln file in {folders}, {skipped} skipped</numerusform>
        <numerusform>Scanning… %Ln files in {folders}, {skipped} skipped</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Scanning… %Ln file(s) in {folders}</source>
      <translation>
        <numerusform>Scanning… %Ln file in {folders}</numerusform>
        <numerusform>Scanning… %Ln files in {folders}</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Scan cancelled: %Ln file(s)</source>
      <translation>
        <numerusform>Scan cancelled: %Ln file</numerusform>
        <numerusform>Scan cancelled: %Ln files</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Added: %Ln file(s)</source>
      <translation>
        <numerusform>Added: %Ln file</numerusform>
        <numerusform>Added: %Ln files</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>Follow</name>
    <message numerus="yes">
      <source>Working on {names} and %Ln more</source>
      <translation>
        <numerusform>Working on {names} and %Ln more</numerusform>
        <numerusform>Working on {names} and %Ln more</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>History</name>
    <message numerus="yes">
      <source>%Ln past job(s)</source>
      <translation>
        <numerusform>%Ln past job</numerusform>
        <numerusform>%Ln past jobs</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Loading… %Ln file(s)</source>
      <translation>
        <numerusform>Loading… %Ln file</numerusform>
        <numerusform>Loading… %Ln files</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Job {job}: %Ln file(s) ({never} never finished)</source>
      <translation>
        <numerusform>Job {job}: %Ln file ({never} never finished)</numerusform>
        <numerusform>Job {job}: %Ln files ({never} never finished)</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Job {job}: %Ln file(s)</source>
      <translation>
        <numerusform>Job {job}: %Ln file</numerusform>
        <numerusform>Job {job}: %Ln files</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Delete job {job} ({operation}, %Ln file(s)) from the history?</source>
      <translation>
        <numerusform>Delete job {job} ({operation}, %Ln file) from the history?</numerusform>
        <numerusform>Delete job {job} ({operation}, %Ln files) from the history?</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>JobController</name>
    <message numerus="yes">
      <source>The list shows the %Ln file(s) the manifest lists instead of the {listed} listed before; add those again to process them.</source>
      <translation>
        <numerusform>The list shows the %Ln file the manifest lists instead of the {listed} listed before; add those again to process them.</numerusform>
        <numerusform>The list shows the %Ln files the manifest lists instead of the {listed} listed before; add those again to process them.</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>JobStatus</name>
    <message numerus="yes">
      <source>Finished with an error in {time}: {counts} of %Ln file(s)</source>
      <translation>
        <numerusform>Finished with an error in {time}: {counts} of %Ln file</numerusform>
        <numerusform>Finished with an error in {time}: {counts} of %Ln files</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Cancelled in {time}: {counts} of %Ln file(s)</source>
      <translation>
        <numerusform>Cancelled in {time}: {counts} of %Ln file</numerusform>
        <numerusform>Cancelled in {time}: {counts} of %Ln files</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Finished in {time}: {counts} of %Ln file(s)</source>
      <translation>
        <numerusform>Finished in {time}: {counts} of %Ln file</numerusform>
        <numerusform>Finished in {time}: {counts} of %Ln files</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>Journal</name>
    <message numerus="yes">
      <source>The job “{operation}” was interrupted: {done} of %Ln file(s) done.</source>
      <translation>
        <numerusform>The job “{operation}” was interrupted: {done} of %Ln file done.</numerusform>
        <numerusform>The job “{operation}” was interrupted: {done} of %Ln files done.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>The job “{operation}” was interrupted: %Ln file(s) done.</source>
      <translation>
        <numerusform>The job “{operation}” was interrupted: %Ln file done.</numerusform>
        <numerusform>The job “{operation}” was interrupted: %Ln files done.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%Ln other interrupted job(s): see the job history.</source>
      <translation>
        <numerusform>%Ln other interrupted job: see the job history.</numerusform>
        <numerusform>%Ln other interrupted jobs: see the job history.</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>MessageBar</name>
    <message numerus="yes">
      <source>… and %Ln more line(s)</source>
      <translation>
        <numerusform>… and %Ln more line</numerusform>
        <numerusform>… and %Ln more lines</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>Panels</name>
    <message numerus="yes">
      <source>%Ln source file(s) will be deleted after [its output is|their outputs are] verified. Continue?</source>
      <translation>
        <numerusform>%Ln source file will be deleted after its output is verified. Continue?</numerusform>
        <numerusform>%Ln source files will be deleted after their outputs are verified. Continue?</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>WindowUI</name>
    <message numerus="yes">
      <source>Processes working in parallel (this computer has %Ln CPU core(s)). More than the cores helps with slow disks and network shares, not with work that keeps a core busy</source>
      <translation>
        <numerusform>Processes working in parallel (this computer has %Ln CPU core). More than the cores helps with slow disks and network shares, not with work that keeps a core busy</numerusform>
        <numerusform>Processes working in parallel (this computer has %Ln CPU cores). More than the cores helps with slow disks and network shares, not with work that keeps a core busy</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>of %Ln CPU core(s)</source>
      <translation>
        <numerusform>of %Ln CPU core</numerusform>
        <numerusform>of %Ln CPU cores</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>⚠ over the %Ln CPU core(s): slower</source>
      <translation>
        <numerusform>⚠ over the %Ln CPU core: slower</numerusform>
        <numerusform>⚠ over the %Ln CPU cores: slower</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>{operation} keeps a core busy per worker: more workers than the %Ln core(s) only share them</source>
      <translation>
        <numerusform>{operation} keeps a core busy per worker: more workers than the %Ln core only share them</numerusform>
        <numerusform>{operation} keeps a core busy per worker: more workers than the %Ln cores only share them</numerusform>
      </translation>
    </message>
  </context>
</TS>
