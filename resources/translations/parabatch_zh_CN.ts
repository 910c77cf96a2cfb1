<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>AboutDialog</name>
    <message>
      <source>About {app}</source>
      <translation>关于 {app}</translation>
    </message>
    <message>
      <source>Process large batches of files in parallel.</source>
      <translation>并行处理大批量文件。</translation>
    </message>
    <message>
      <source>Licence:</source>
      <translation>许可证：</translation>
    </message>
    <message>
      <source>Copy &amp;versions</source>
      <translation>复制版本信息(&amp;V)</translation>
    </message>
  </context>
  <context>
    <name>ChecksumPanel</name>
    <message>
      <source>Replace</source>
      <translation>替换</translation>
    </message>
    <message>
      <source>Keep both</source>
      <translation>两者都保留</translation>
    </message>
    <message>
      <source>Checksum algorithm</source>
      <translation>校验和算法</translation>
    </message>
    <message>
      <source>{manifest}, checked with {tool} -c</source>
      <translation>{manifest}，可用 {tool} -c 校验</translation>
    </message>
    <message>
      <source>{manifest}, no coreutils checker</source>
      <translation>{manifest}，coreutils 无对应校验工具</translation>
    </message>
    <message>
      <source>Manifest file</source>
      <translation>清单文件</translation>
    </message>
    <message>
      <source>All files (*)</source>
      <translation>所有文件 (*)</translation>
    </message>
    <message>
      <source>Leave empty to write the manifest in the files' common folder; a name without a folder goes there too</source>
      <translation>留空则将清单写入这些文件的共同文件夹；只写文件名（不含文件夹）时也写到那里</translation>
    </message>
    <message>
      <source>Manifest written to</source>
      <translation>清单写入位置</translation>
    </message>
    <message>
      <source>&amp;Algorithm:</source>
      <translation>算法(&amp;A)：</translation>
    </message>
    <message>
      <source>&amp;Manifest:</source>
      <translation>清单(&amp;M)：</translation>
    </message>
    <message>
      <source>Automatic: {name}</source>
      <translation>自动：{name}</translation>
    </message>
    <message>
      <source>Automatic: next to the files</source>
      <translation>自动：放在文件旁边</translation>
    </message>
    <message>
      <source>Written to {path}</source>
      <translation>写入到 {path}</translation>
    </message>
    <message>
      <source>Written to the files' folder</source>
      <translation>写入到文件所在的文件夹</translation>
    </message>
    <message>
      <source>Add files to checksum first.</source>
      <translation>请先添加要计算校验和的文件。</translation>
    </message>
    <message>
      <source>The manifest path {path} is a folder; give a file name.</source>
      <translation>清单路径 {path} 是一个文件夹，请指定文件名。</translation>
    </message>
    <message>
      <source>{name} already exists in {folder}.</source>
      <translation>{folder} 中已存在 {name}。</translation>
    </message>
    <message>
      <source>Replace it with this job's manifest, or keep both (this job's manifest is then {other})? A job where files fail never replaces it.</source>
      <translation>要用本次任务的清单替换它，还是两者都保留（本次任务的清单将命名为 {other}）？有文件失败的任务永远不会替换它。</translation>
    </message>
  </context>
  <context>
    <name>Cluster</name>
    <message>
      <source>Not connected: press Test to connect to the cluster (Start waits for it).</source>
      <translation>未连接：请按“测试”连接集群（“开始”会等待连接完成）。</translation>
    </message>
    <message>
      <source>Cannot use the cluster: {error}.</source>
      <translation>无法使用该集群：{error}。</translation>
    </message>
    <message>
      <source>Connecting to {address}… (at most about {seconds} s)</source>
      <translation>正在连接 {address}…（最多约 {seconds} 秒）</translation>
    </message>
    <message>
      <source>Cannot use the cluster at {address}: {error}</source>
      <translation>无法使用位于 {address} 的集群：{error}</translation>
    </message>
    <message numerus="yes">
      <source>%Ln thread(s)</source>
      <translation>
        <numerusform>%Ln 个线程</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Connected to {address}: %Ln worker(s), {threads}.</source>
      <translation>
        <numerusform>已连接到 {address}：%Ln 个工作进程，{threads}。</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>CompressPanel</name>
    <message>
      <source>Compression format</source>
      <translation>压缩格式</translation>
    </message>
    <message>
      <source>Compression level</source>
      <translation>压缩级别</translation>
    </message>
    <message>
      <source>Add files to preview their compressed names.</source>
      <translation>添加文件后可预览压缩后的文件名。</translation>
    </message>
    <message>
      <source>Compression</source>
      <translation>压缩</translation>
    </message>
    <message>
      <source>Fo&amp;rmat:</source>
      <translation>格式(&amp;R)：</translation>
    </message>
    <message>
      <source>&amp;Compression level:</source>
      <translation>压缩级别(&amp;C)：</translation>
    </message>
    <message>
      <source>{format}: {low} (fastest) to {high} (smallest); {default} is its default</source>
      <translation>{format}：{low}（最快）到 {high}（最小）；默认为 {default}</translation>
    </message>
  </context>
  <context>
    <name>DecompressPanel</name>
    <message>
      <source>Ratio limit</source>
      <translation>压缩比上限</translation>
    </message>
    <message>
      <source> : 1</source>
      <translation> : 1</translation>
    </message>
    <message>
      <source>A file whose output grows past this many times its own size is stopped as a probable decompression bomb, and nothing is written for it</source>
      <translation>输出超过自身大小这么多倍的文件会被视为可能的解压炸弹而中止，且不会为其写入任何内容</translation>
    </message>
    <message>
      <source>Add .zst, .gz, .xz or .bz2 files to preview their output names.</source>
      <translation>添加 .zst、.gz、.xz 或 .bz2 文件后可预览输出文件名。</translation>
    </message>
    <message>
      <source>Decompression</source>
      <translation>解压缩</translation>
    </message>
    <message>
      <source>&amp;Ratio limit:</source>
      <translation>压缩比上限(&amp;R)：</translation>
    </message>
  </context>
  <context>
    <name>Desktop</name>
    <message>
      <source>No file manager or application could open the folder; it is {path}</source>
      <translation>没有文件管理器或应用程序能打开该文件夹；它位于 {path}</translation>
    </message>
    <message>
      <source>No file manager or application could open the file; it is {path}</source>
      <translation>没有文件管理器或应用程序能打开该文件；它位于 {path}</translation>
    </message>
  </context>
  <context>
    <name>DesktopNotifier</name>
    <message>
      <source>Show {app}</source>
      <translation>显示 {app}</translation>
    </message>
  </context>
  <context>
    <name>EncodePanel</name>
    <message>
      <source>Detect</source>
      <translation>自动检测</translation>
    </message>
    <message>
      <source>Keep as it is</source>
      <translation>保持原样</translation>
    </message>
    <message>
      <source>Add</source>
      <translation>添加</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>移除</translation>
    </message>
    <message>
      <source>Keep as they are</source>
      <translation>保持原样</translation>
    </message>
    <message>
      <source>LF (Unix, macOS)</source>
      <translation>LF（Unix、macOS）</translation>
    </message>
    <message>
      <source>CRLF (Windows)</source>
      <translation>CRLF（Windows）</translation>
    </message>
    <message>
      <source>Source encoding</source>
      <translation>源编码</translation>
    </message>
    <message>
      <source>Detect: each file's encoding is found from its first MiB (a doubtful guess is said in its result); or name the encoding every input is in</source>
      <translation>自动检测：根据每个文件的前 1 MiB 判断其编码（把握不大时会在结果中注明）；也可以直接指定所有输入文件使用的编码</translation>
    </message>
    <message>
      <source>Target encoding</source>
      <translation>目标编码</translation>
    </message>
    <message>
      <source>The outputs' encoding; utf-16 and utf-32 without -le/-be are written little-endian with a byte order mark</source>
      <translation>输出文件的编码；未注明 -le/-be 的 utf-16 和 utf-32 按小端序写入并带字节顺序标记</translation>
    </message>
    <message>
      <source>Byte order mark</source>
      <translation>字节顺序标记</translation>
    </message>
    <message>
      <source>Line endings</source>
      <translation>换行符</translation>
    </message>
    <message>
      <source>Re&amp;place what cannot be converted</source>
      <translation>替换无法转换的内容(&amp;P)</translation>
    </message>
    <message>
      <source>Replace undecodable bytes</source>
      <translation>替换无法解码的字节</translation>
    </message>
    <message>
      <source>Write U+FFFD for bytes that do not decode (and ? for characters the target lacks) instead of failing the file; the summary counts them</source>
      <translation>对无法解码的字节写入 U+FFFD（目标编码中没有的字符写入 ?），而不是让该文件失败；摘要中会统计替换数量</translation>
    </message>
    <message>
      <source>Add text files to preview their output names.</source>
      <translation>添加文本文件后可预览输出文件名。</translation>
    </message>
    <message>
      <source>Encodings</source>
      <translation>编码</translation>
    </message>
    <message>
      <source>&amp;Source:</source>
      <translation>源编码(&amp;S)：</translation>
    </message>
    <message>
      <source>Tar&amp;get:</source>
      <translation>目标编码(&amp;G)：</translation>
    </message>
    <message>
      <source>&amp;Byte order mark:</source>
      <translation>字节顺序标记(&amp;B)：</translation>
    </message>
    <message>
      <source>Line en&amp;dings:</source>
      <translation>换行符(&amp;D)：</translation>
    </message>
  </context>
  <context>
    <name>FileList</name>
    <message>
      <source>Clear the list</source>
      <translation>清空列表</translation>
    </message>
    <message numerus="yes">
      <source>%Ln file(s)</source>
      <translation>
        <numerusform>%Ln 个文件</numerusform>
      </translation>
    </message>
    <message>
      <source>A job is running: add files when it has ended.</source>
      <translation>有任务正在运行：请在其结束后再添加文件。</translation>
    </message>
    <message>
      <source>{name} is a checksum manifest: Start verifies the files it lists.</source>
      <translation>{name} 是校验和清单：按“开始”将校验其中列出的文件。</translation>
    </message>
    <message>
      <source>Add files</source>
      <translation>添加文件</translation>
    </message>
    <message>
      <source>Add folder</source>
      <translation>添加文件夹</translation>
    </message>
    <message>
      <source>Clear the list?</source>
      <translation>清空列表？</translation>
    </message>
    <message numerus="yes">
      <source>Remove all %Ln file(s) from the list?</source>
      <translation>
        <numerusform>要从列表中移除全部 %Ln 个文件吗？</numerusform>
      </translation>
    </message>
    <message>
      <source>Their statuses and results are no longer shown (the files themselves are kept).</source>
      <translation>它们的状态和结果将不再显示（文件本身不受影响）。</translation>
    </message>
    <message numerus="yes">
      <source>%Ln file(s) · {size}</source>
      <translation>
        <numerusform>%Ln 个文件 · {size}</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>{shown} of %Ln file(s) shown · {size}</source>
      <translation>
        <numerusform>显示 %Ln 个文件中的 {shown} 个 · {size}</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%Ln folder(s)</source>
      <translation>
        <numerusform>%Ln 个文件夹</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Scanning… %Ln file(s) in {folders}, {skipped} skipped</source>
      <translation>
        <numerusform>正在扫描… {folders}中有 %Ln 个文件，已跳过 {skipped} 个</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Scanning… %Ln file(s) in {folders}</source>
      <translation>
        <numerusform>正在扫描… {folders}中有 %Ln 个文件</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Scan cancelled: %Ln file(s)</source>
      <translation>
        <numerusform>扫描已取消：%Ln 个文件</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Added: %Ln file(s)</source>
      <translation>
        <numerusform>已添加：%Ln 个文件</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>FileModel</name>
    <message>
      <source>Name</source>
      <translation>名称</translation>
    </message>
    <message>
      <source>Folder</source>
      <translation>文件夹</translation>
    </message>
    <message>
      <source>Size</source>
      <translation>大小</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Progress</source>
      <translation>进度</translation>
    </message>
    <message>
      <source>Result</source>
      <translation>结果</translation>
    </message>
  </context>
  <context>
    <name>FileTable</name>
    <message>
      <source>Drop files or folders here
or use Add files (Ctrl+O) and Add folder (Ctrl+Shift+O)</source>
      <translation>将文件或文件夹拖放到这里
或使用“添加文件”（Ctrl+O）和“添加文件夹”（Ctrl+Shift+O）</translation>
    </message>
    <message>
      <source>Files</source>
      <translation>文件</translation>
    </message>
  </context>
  <context>
    <name>Follow</name>
    <message>
      <source>, </source>
      <translation>、</translation>
    </message>
    <message numerus="yes">
      <source>Working on {names} and %Ln more</source>
      <translation>
        <numerusform>正在处理 {names} 等，另有 %Ln 个</numerusform>
      </translation>
    </message>
    <message>
      <source>Working on {names}</source>
      <translation>正在处理 {names}</translation>
    </message>
  </context>
  <context>
    <name>GeneratedPanel</name>
    <message>
      <source>All files (*)</source>
      <translation>所有文件 (*)</translation>
    </message>
    <message>
      <source>{label}:</source>
      <translation>{label}：</translation>
    </message>
  </context>
  <context>
    <name>HelpMenu</name>
    <message>
      <source>&amp;Help</source>
      <translation>帮助(&amp;H)</translation>
    </message>
    <message>
      <source>&amp;Documentation</source>
      <translation>文档(&amp;D)</translation>
    </message>
    <message>
      <source>Open the documentation in a web browser</source>
      <translation>在网页浏览器中打开文档</translation>
    </message>
    <message>
      <source>&amp;About {app}</source>
      <translation>关于 {app}(&amp;A)</translation>
    </message>
    <message>
      <source>About &amp;Qt</source>
      <translation>关于 &amp;Qt</translation>
    </message>
    <message>
      <source>No web browser could open the documentation; it is at {url}</source>
      <translation>没有网页浏览器能打开文档；文档位于 {url}</translation>
    </message>
  </context>
  <context>
    <name>History</name>
    <message>
      <source>CSV, one row per file (*.csv)</source>
      <translation>CSV，每个文件一行 (*.csv)</translation>
    </message>
    <message>
      <source>JSON document (*.json)</source>
      <translation>JSON 文档 (*.json)</translation>
    </message>
    <message>
      <source>Job log, tab-separated like GNU parallel's (*.joblog *.tsv)</source>
      <translation>任务日志，与 GNU parallel 相同的制表符分隔格式 (*.joblog *.tsv)</translation>
    </message>
    <message>
      <source>Delete job</source>
      <translation>删除任务</translation>
    </message>
    <message>
      <source>Job history — Parabatch</source>
      <translation>任务历史 — Parabatch</translation>
    </message>
    <message>
      <source>Past jobs</source>
      <translation>以往的任务</translation>
    </message>
    <message>
      <source>Results of the selected job</source>
      <translation>所选任务的结果</translation>
    </message>
    <message>
      <source>Loading…</source>
      <translation>正在加载…</translation>
    </message>
    <message>
      <source>History status</source>
      <translation>历史状态</translation>
    </message>
    <message>
      <source>Choose a job to see its files.</source>
      <translation>选择一个任务以查看其文件。</translation>
    </message>
    <message>
      <source>&amp;Resume</source>
      <translation>继续(&amp;R)</translation>
    </message>
    <message>
      <source>Process the files this job did not finish; files it finished that are unchanged since are taken from the history, not processed again</source>
      <translation>处理该任务未完成的文件；已完成且此后未改动的文件直接沿用历史记录中的结果，不再重新处理</translation>
    </message>
    <message>
      <source>Retry &amp;failed</source>
      <translation>重试失败项(&amp;F)</translation>
    </message>
    <message>
      <source>Run this job's failed files again; keep its other results</source>
      <translation>重新处理该任务中失败的文件；其他结果保持不变</translation>
    </message>
    <message>
      <source>&amp;Export…</source>
      <translation>导出(&amp;E)…</translation>
    </message>
    <message>
      <source>Save this job's results as CSV, JSON or a job log</source>
      <translation>将该任务的结果保存为 CSV、JSON 或任务日志</translation>
    </message>
    <message>
      <source>&amp;Delete…</source>
      <translation>删除(&amp;D)…</translation>
    </message>
    <message>
      <source>Remove this job and its results from the history</source>
      <translation>从历史中删除该任务及其结果</translation>
    </message>
    <message>
      <source>Re&amp;fresh</source>
      <translation>刷新(&amp;F)</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>Jobs kept</source>
      <translation>保留的任务数</translation>
    </message>
    <message>
      <source>any age</source>
      <translation>不限时间</translation>
    </message>
    <message>
      <source> days</source>
      <translation> 天</translation>
    </message>
    <message>
      <source>Days a job is kept</source>
      <translation>任务保留的天数</translation>
    </message>
    <message>
      <source>&amp;Keep the newest</source>
      <translation>保留最新的(&amp;K)</translation>
    </message>
    <message>
      <source>jobs, up to an a&amp;ge of</source>
      <translation>个任务，最长保留(&amp;G)</translation>
    </message>
    <message>
      <source>Older jobs are forgotten, and the file compacted, when the next job ends</source>
      <translation>下一个任务结束时，更早的任务将被清除，历史文件也会被压缩</translation>
    </message>
    <message>
      <source>The history cannot be read: {error}</source>
      <translation>无法读取任务历史：{error}</translation>
    </message>
    <message numerus="yes">
      <source>%Ln past job(s)</source>
      <translation>
        <numerusform>%Ln 个以往的任务</numerusform>
      </translation>
    </message>
    <message>
      <source>No jobs yet.</source>
      <translation>暂无任务。</translation>
    </message>
    <message>
      <source>Job {job}: loading its files…</source>
      <translation>任务 {job}：正在加载其文件…</translation>
    </message>
    <message numerus="yes">
      <source>Loading… %Ln file(s)</source>
      <translation>
        <numerusform>正在加载… %Ln 个文件</numerusform>
      </translation>
    </message>
    <message>
      <source>The job's files cannot be read: {error}</source>
      <translation>无法读取该任务的文件：{error}</translation>
    </message>
    <message numerus="yes">
      <source>Job {job}: %Ln file(s) ({never} never finished)</source>
      <translation>
        <numerusform>任务 {job}：%Ln 个文件（{never} 个未完成）</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Job {job}: %Ln file(s)</source>
      <translation>
        <numerusform>任务 {job}：%Ln 个文件</numerusform>
      </translation>
    </message>
    <message>
      <source>Export job results</source>
      <translation>导出任务结果</translation>
    </message>
    <message>
      <source>Exporting job {job}…</source>
      <translation>正在导出任务 {job}…</translation>
    </message>
    <message>
      <source>{path} cannot be written</source>
      <translation>无法写入 {path}</translation>
    </message>
    <message>
      <source>Not exported: {why}</source>
      <translation>未导出：{why}</translation>
    </message>
    <message>
      <source>Exported to {path}</source>
      <translation>已导出到 {path}</translation>
    </message>
    <message numerus="yes">
      <source>Delete job {job} ({operation}, %Ln file(s)) from the history?</source>
      <translation>
        <numerusform>要从历史中删除任务 {job}（{operation}，%Ln 个文件）吗？</numerusform>
      </translation>
    </message>
    <message>
      <source>Its results cannot be shown, exported or resumed afterwards.</source>
      <translation>删除后将无法再查看、导出或继续该任务的结果。</translation>
    </message>
    <message>
      <source>Deleting job {job}…</source>
      <translation>正在删除任务 {job}…</translation>
    </message>
    <message>
      <source>Not deleted: {error}</source>
      <translation>未删除：{error}</translation>
    </message>
    <message>
      <source>Job</source>
      <translation>任务</translation>
    </message>
    <message>
      <source>Operation</source>
      <translation>操作</translation>
    </message>
    <message>
      <source>Started</source>
      <translation>开始时间</translation>
    </message>
    <message>
      <source>Duration</source>
      <translation>耗时</translation>
    </message>
    <message>
      <source>How it ended</source>
      <translation>结束方式</translation>
    </message>
    <message>
      <source>Files</source>
      <translation>文件数</translation>
    </message>
    <message>
      <source>Done</source>
      <translation>完成</translation>
    </message>
    <message>
      <source>Failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <source>Skipped</source>
      <translation>跳过</translation>
    </message>
    <message>
      <source>Cancelled</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>File</source>
      <translation>文件</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Kind</source>
      <translation>类别</translation>
    </message>
    <message>
      <source>Result</source>
      <translation>结果</translation>
    </message>
    <message>
      <source>finished</source>
      <translation>已完成</translation>
    </message>
    <message>
      <source>cancelled</source>
      <translation>已取消</translation>
    </message>
    <message>
      <source>failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <source>interrupted</source>
      <translation>被中断</translation>
    </message>
    <message>
      <source>running</source>
      <translation>运行中</translation>
    </message>
    <message>
      <source>done</source>
      <translation>已完成</translation>
    </message>
    <message>
      <source>skipped</source>
      <translation>已跳过</translation>
    </message>
    <message>
      <source>failed: {error}</source>
      <translation>失败：{error}</translation>
    </message>
    <message>
      <source> (resume of job {job})</source>
      <translation>（继续任务 {job}）</translation>
    </message>
    <message>
      <source> (retry of job {job})</source>
      <translation>（重试任务 {job}）</translation>
    </message>
    <message>
      <source> ({how} of job {job})</source>
      <translation>（任务 {job} 的 {how}）</translation>
    </message>
  </context>
  <context>
    <name>ImagePanel</name>
    <message>
      <source>Keep size</source>
      <translation>保持尺寸</translation>
    </message>
    <message>
      <source>Fit within a box</source>
      <translation>缩放到指定范围内</translation>
    </message>
    <message>
      <source>Scale by percent</source>
      <translation>按百分比缩放</translation>
    </message>
    <message>
      <source>Keep all frames (GIF, WebP)</source>
      <translation>保留所有帧（GIF、WebP）</translation>
    </message>
    <message>
      <source>First frame only</source>
      <translation>仅第一帧</translation>
    </message>
    <message>
      <source>Same as input</source>
      <translation>与输入相同</translation>
    </message>
    <message>
      <source>Output format</source>
      <translation>输出格式</translation>
    </message>
    <message>
      <source>Resize</source>
      <translation>调整尺寸</translation>
    </message>
    <message>
      <source>Maximum width</source>
      <translation>最大宽度</translation>
    </message>
    <message>
      <source>Maximum height</source>
      <translation>最大高度</translation>
    </message>
    <message>
      <source>any</source>
      <translation>不限</translation>
    </message>
    <message>
      <source>Enlarge smaller images to the box</source>
      <translation>将较小的图片放大到该范围</translation>
    </message>
    <message>
      <source>Scale</source>
      <translation>缩放比例</translation>
    </message>
    <message>
      <source>Quality</source>
      <translation>质量</translation>
    </message>
    <message>
      <source>PNG compression level</source>
      <translation>PNG 压缩级别</translation>
    </message>
    <message>
      <source>Progressive JPEG</source>
      <translation>渐进式 JPEG</translation>
    </message>
    <message>
      <source>Keep EXIF and colour profile</source>
      <translation>保留 EXIF 和颜色配置文件</translation>
    </message>
    <message>
      <source>Background colour for transparency</source>
      <translation>透明部分的背景色</translation>
    </message>
    <message>
      <source>white, #rrggbb or r,g,b</source>
      <translation>white、#rrggbb 或 r,g,b</translation>
    </message>
    <message>
      <source>Animated images</source>
      <translation>动画图片</translation>
    </message>
    <message>
      <source>Pixel limit</source>
      <translation>像素上限</translation>
    </message>
    <message>
      <source>Pillow's (89 Mpx)</source>
      <translation>默认（8900 万像素）</translation>
    </message>
    <message>
      <source>Images with more pixels are refused (decompression-bomb guard); by default Pillow's limit, about 89 million pixels</source>
      <translation>像素数超过此值的图片将被拒绝（防范解压炸弹）；默认使用 Pillow 的上限，约 8900 万像素</translation>
    </message>
    <message>
      <source>Accept an&amp;y file, not just images</source>
      <translation>接受任何文件，而不仅是图片(&amp;Y)</translation>
    </message>
    <message>
      <source>Any file</source>
      <translation>任何文件</translation>
    </message>
    <message>
      <source>Off: files that are not images (by name, or by their first bytes where unsure) are listed as skipped. On: every file is tried, and those that are not images fail</source>
      <translation>关闭：不是图片的文件（根据文件名判断，无法确定时根据开头的字节判断）列为已跳过。开启：尝试处理每个文件，不是图片的文件将失败</translation>
    </message>
    <message>
      <source>Add images to preview their output names.</source>
      <translation>添加图片后可预览输出文件名。</translation>
    </message>
    <message>
      <source>Conversion</source>
      <translation>转换</translation>
    </message>
    <message>
      <source>Fo&amp;rmat:</source>
      <translation>格式(&amp;R)：</translation>
    </message>
    <message>
      <source>Resi&amp;ze:</source>
      <translation>调整尺寸(&amp;Z)：</translation>
    </message>
    <message>
      <source>Max wi&amp;dth:</source>
      <translation>最大宽度(&amp;D)：</translation>
    </message>
    <message>
      <source>Max hei&amp;ght:</source>
      <translation>最大高度(&amp;G)：</translation>
    </message>
    <message>
      <source>Sc&amp;ale:</source>
      <translation>缩放比例(&amp;A)：</translation>
    </message>
    <message>
      <source>&amp;Quality:</source>
      <translation>质量(&amp;Q)：</translation>
    </message>
    <message>
      <source>&amp;PNG level:</source>
      <translation>&amp;PNG 级别：</translation>
    </message>
    <message>
      <source>&amp;Background:</source>
      <translation>背景色(&amp;B)：</translation>
    </message>
    <message>
      <source>Ani&amp;mation:</source>
      <translation>动画(&amp;M)：</translation>
    </message>
    <message>
      <source>Pixel limi&amp;t:</source>
      <translation>像素上限(&amp;T)：</translation>
    </message>
    <message>
      <source>Give a maximum width or height to fit within, or keep the size.</source>
      <translation>请指定缩放范围的最大宽度或高度，或选择保持尺寸。</translation>
    </message>
  </context>
  <context>
    <name>JobController</name>
    <message>
      <source>Still listing files: the job starts once the listing ends (Esc stops it).</source>
      <translation>仍在列出文件：列出完成后任务即开始（按 Esc 可停止）。</translation>
    </message>
    <message>
      <source>Add files or folders first.</source>
      <translation>请先添加文件或文件夹。</translation>
    </message>
    <message>
      <source>Not started: the listing was stopped.</source>
      <translation>未开始：文件列出已停止。</translation>
    </message>
    <message>
      <source>Not started: nothing was changed.</source>
      <translation>未开始：没有做任何更改。</translation>
    </message>
    <message>
      <source>Preparing…</source>
      <translation>正在准备…</translation>
    </message>
    <message>
      <source>Cancelling…</source>
      <translation>正在取消…</translation>
    </message>
    <message numerus="yes">
      <source>The list shows the %Ln file(s) the manifest lists instead of the {listed} listed before; add those again to process them.</source>
      <translation>
        <numerusform>列表现在显示清单中列出的 %Ln 个文件，而不是之前列出的 {listed} 个；如需处理之前的文件，请重新添加。</numerusform>
      </translation>
    </message>
    <message>
      <source>Cancelling… {status}</source>
      <translation>正在取消… {status}</translation>
    </message>
    <message>
      <source>Paused · {status}</source>
      <translation>已暂停 · {status}</translation>
    </message>
    <message>
      <source>{percent}% (paused) — {app}</source>
      <translation>{percent}%（已暂停）— {app}</translation>
    </message>
    <message>
      <source>{percent}% — {app}</source>
      <translation>{percent}% — {app}</translation>
    </message>
    <message>
      <source>Not started</source>
      <translation>未开始</translation>
    </message>
    <message>
      <source>Could not start.</source>
      <translation>无法开始。</translation>
    </message>
    <message>
      <source>Open output folder</source>
      <translation>打开输出文件夹</translation>
    </message>
    <message>
      <source>Open {name}</source>
      <translation>打开 {name}</translation>
    </message>
    <message>
      <source>Show in folder</source>
      <translation>在文件夹中显示</translation>
    </message>
    <message>
      <source>Resume</source>
      <translation>继续</translation>
    </message>
    <message>
      <source>Retry failed</source>
      <translation>重试失败项</translation>
    </message>
  </context>
  <context>
    <name>JobStatus</name>
    <message>
      <source>{n} done</source>
      <translation>已完成 {n}</translation>
    </message>
    <message>
      <source>{n} failed</source>
      <translation>失败 {n}</translation>
    </message>
    <message>
      <source>{n} skipped</source>
      <translation>跳过 {n}</translation>
    </message>
    <message>
      <source>{n} cancelled</source>
      <translation>取消 {n}</translation>
    </message>
    <message>
      <source>{counts} of {total} · elapsed {elapsed}</source>
      <translation>{counts}，共 {total} · 已用 {elapsed}</translation>
    </message>
    <message>
      <source>{counts} of {total} · {rate}/s · elapsed {elapsed} · ETA {eta}</source>
      <translation>{counts}，共 {total} · {rate}/秒 · 已用 {elapsed} · 剩余 {eta}</translation>
    </message>
    <message>
      <source>{done} done, {failed} failed, {skipped} skipped, {cancelled} cancelled</source>
      <translation>完成 {done}，失败 {failed}，跳过 {skipped}，取消 {cancelled}</translation>
    </message>
    <message>
      <source>{done} done, {failed} failed, {skipped} skipped</source>
      <translation>完成 {done}，失败 {failed}，跳过 {skipped}</translation>
    </message>
    <message numerus="yes">
      <source>Finished with an error in {time}: {counts} of %Ln file(s)</source>
      <translation>
        <numerusform>已结束但有错误，用时 {time}：共 %Ln 个文件，{counts}</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Cancelled in {time}: {counts} of %Ln file(s)</source>
      <translation>
        <numerusform>已取消，用时 {time}：共 %Ln 个文件，{counts}</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>Finished in {time}: {counts} of %Ln file(s)</source>
      <translation>
        <numerusform>已完成，用时 {time}：共 %Ln 个文件，{counts}</numerusform>
      </translation>
    </message>
    <message>
      <source>{bytes} at {rate}/s</source>
      <translation>{bytes}，速度 {rate}/秒</translation>
    </message>
    <message>
      <source>the job could not be started</source>
      <translation>无法启动任务</translation>
    </message>
  </context>
  <context>
    <name>Journal</name>
    <message>
      <source>Job history notice</source>
      <translation>任务历史提示</translation>
    </message>
    <message>
      <source>Job &amp;history…</source>
      <translation>任务历史(&amp;H)…</translation>
    </message>
    <message>
      <source>Past jobs and their results (Ctrl+H)</source>
      <translation>以往的任务及其结果（Ctrl+H）</translation>
    </message>
    <message>
      <source>&amp;Record jobs in the history</source>
      <translation>在历史中记录任务(&amp;R)</translation>
    </message>
    <message>
      <source>Keep every job and each file's result, so that a cancelled or interrupted job can be resumed and any job listed, retried or exported</source>
      <translation>记录每个任务及每个文件的结果，以便继续已取消或被中断的任务，并可查看、重试或导出任何任务</translation>
    </message>
    <message>
      <source>Resu&amp;me</source>
      <translation>继续(&amp;M)</translation>
    </message>
    <message>
      <source>Run the files the cancelled job did not finish</source>
      <translation>处理已取消的任务中尚未完成的文件</translation>
    </message>
    <message>
      <source>The job history was repaired</source>
      <translation>任务历史已修复</translation>
    </message>
    <message>
      <source>This job is not recorded in the job history</source>
      <translation>此任务未记录到任务历史中</translation>
    </message>
    <message>
      <source>Stop recording jobs</source>
      <translation>停止记录任务</translation>
    </message>
    <message numerus="yes">
      <source>The job “{operation}” was interrupted: {done} of %Ln file(s) done.</source>
      <translation>
        <numerusform>任务“{operation}”被中断：%Ln 个文件中已完成 {done} 个。</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>The job “{operation}” was interrupted: %Ln file(s) done.</source>
      <translation>
        <numerusform>任务“{operation}”被中断：已完成 %Ln 个文件。</numerusform>
      </translation>
    </message>
    <message>
      <source>Job {job}, started {started}. Resume processes the files it did not finish; those it finished, if unchanged since, are taken from the history.</source>
      <translation>任务 {job}，开始于 {started}。“继续”会处理它未完成的文件；已完成且此后未改动的文件直接沿用历史记录中的结果。</translation>
    </message>
    <message numerus="yes">
      <source>%Ln other interrupted job(s): see the job history.</source>
      <translation>
        <numerusform>另有 %Ln 个被中断的任务：请查看任务历史。</numerusform>
      </translation>
    </message>
    <message>
      <source>Resume</source>
      <translation>继续</translation>
    </message>
    <message>
      <source>Dismiss</source>
      <translation>忽略</translation>
    </message>
    <message>
      <source>A job is running: resume when it has ended.</source>
      <translation>有任务正在运行：请在其结束后再继续。</translation>
    </message>
    <message>
      <source>Job {job} cannot be run again here</source>
      <translation>无法在此重新运行任务 {job}</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>Cancel job and quit</source>
      <translation>取消任务并退出</translation>
    </message>
    <message>
      <source>Quit</source>
      <translation>退出</translation>
    </message>
    <message>
      <source>The job has ended.</source>
      <translation>任务已结束。</translation>
    </message>
    <message>
      <source>Quit Parabatch now?</source>
      <translation>现在退出 Parabatch 吗？</translation>
    </message>
    <message>
      <source>Don't quit</source>
      <translation>不退出</translation>
    </message>
    <message>
      <source>Quit Parabatch?</source>
      <translation>退出 Parabatch？</translation>
    </message>
    <message>
      <source>A job is running. Cancel it and quit?</source>
      <translation>有任务正在运行。要取消它并退出吗？</translation>
    </message>
    <message>
      <source>Keep running</source>
      <translation>继续运行</translation>
    </message>
  </context>
  <context>
    <name>MessageBar</name>
    <message>
      <source>Job summary</source>
      <translation>任务摘要</translation>
    </message>
    <message>
      <source>Dismiss</source>
      <translation>关闭</translation>
    </message>
    <message numerus="yes">
      <source>… and %Ln more line(s)</source>
      <translation>
        <numerusform>……另有 %Ln 行</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>OutputsGroup</name>
    <message>
      <source>Rename: add (1), (2)…</source>
      <translation>重命名：添加 (1)、(2)…</translation>
    </message>
    <message>
      <source>Skip the input</source>
      <translation>跳过该输入文件</translation>
    </message>
    <message>
      <source>Overwrite the existing file</source>
      <translation>覆盖已有文件</translation>
    </message>
    <message>
      <source>Outputs</source>
      <translation>输出</translation>
    </message>
    <message>
      <source>Add files to preview their output names.</source>
      <translation>添加文件后可预览输出文件名。</translation>
    </message>
    <message>
      <source>Output folder</source>
      <translation>输出文件夹</translation>
    </message>
    <message>
      <source>Automatic: a {folder} folder beside the inputs</source>
      <translation>自动：输入文件旁的 {folder} 文件夹</translation>
    </message>
    <message>
      <source>Beside each input</source>
      <translation>各输入文件旁边</translation>
    </message>
    <message>
      <source>Output name template</source>
      <translation>输出文件名模板</translation>
    </message>
    <message>
      <source>Output name without extension. Fields: {fields}; '/' makes subfolders</source>
      <translation>不含扩展名的输出文件名。可用字段：{fields}；“/”用于创建子文件夹</translation>
    </message>
    <message>
      <source>Recreate the folder tree</source>
      <translation>重建文件夹结构</translation>
    </message>
    <message>
      <source>Recreate the inputs' folder tree in the output folder</source>
      <translation>在输出文件夹中重建输入文件的文件夹结构</translation>
    </message>
    <message>
      <source>When an output name is taken</source>
      <translation>输出文件名已被占用时</translation>
    </message>
    <message>
      <source>Output name preview</source>
      <translation>输出文件名预览</translation>
    </message>
    <message>
      <source>O&amp;utput folder:</source>
      <translation>输出文件夹(&amp;U)：</translation>
    </message>
    <message>
      <source>&amp;Name:</source>
      <translation>名称(&amp;N)：</translation>
    </message>
    <message>
      <source>If ta&amp;ken:</source>
      <translation>重名时(&amp;K)：</translation>
    </message>
    <message>
      <source>Preview:</source>
      <translation>预览：</translation>
    </message>
    <message>
      <source>{width} and {height} are known only for images; use other fields</source>
      <translation>{width} 和 {height} 仅适用于图片；请使用其他字段</translation>
    </message>
    <message>
      <source>Automatic: {folder}</source>
      <translation>自动：{folder}</translation>
    </message>
    <message>
      <source>{name}: skipped ({reason})</source>
      <translation>{name}：已跳过（{reason}）</translation>
    </message>
  </context>
  <context>
    <name>Panels</name>
    <message>
      <source>Continue</source>
      <translation>继续</translation>
    </message>
    <message>
      <source>Files already processed keep their results.</source>
      <translation>已处理的文件保留其结果。</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <source>Browse for {what}</source>
      <translation>浏览选择{what}</translation>
    </message>
    <message>
      <source>Delete sources after success</source>
      <translation>成功后删除源文件</translation>
    </message>
    <message>
      <source>Delete each source file once its output was written, read back and checked to give the same bytes (SHA-256). Failed, skipped or cancelled files keep their sources.</source>
      <translation>在输出写入完成、读回并校验字节一致（SHA-256）后删除对应的源文件。失败、跳过或取消的文件保留其源文件。</translation>
    </message>
    <message numerus="yes">
      <source>%Ln source file(s) will be deleted after [its output is|their outputs are] verified. Continue?</source>
      <translation>
        <numerusform>%Ln 个源文件将在其输出校验通过后被删除。要继续吗？</numerusform>
      </translation>
    </message>
    <message>
      <source>Create checksums</source>
      <translation>生成校验和</translation>
    </message>
    <message>
      <source>A cancelled job writes no manifest: the checksums computed so far are lost.</source>
      <translation>已取消的任务不会写入清单：目前已计算的校验和将会丢失。</translation>
    </message>
    <message>
      <source>Compress files</source>
      <translation>压缩文件</translation>
    </message>
    <message>
      <source>Decompress files</source>
      <translation>解压缩文件</translation>
    </message>
    <message>
      <source>Convert text encodings</source>
      <translation>转换文本编码</translation>
    </message>
    <message>
      <source>Convert / resize images</source>
      <translation>转换图片格式 / 调整尺寸</translation>
    </message>
    <message>
      <source>Images already converted are kept; no partial output is left behind.</source>
      <translation>已转换的图片会保留；不会留下不完整的输出。</translation>
    </message>
    <message>
      <source>Run a command</source>
      <translation>运行命令</translation>
    </message>
    <message>
      <source>Files already processed keep their results; running commands are stopped.</source>
      <translation>已处理的文件保留其结果；正在运行的命令将被停止。</translation>
    </message>
    <message>
      <source>Verify checksums</source>
      <translation>校验校验和</translation>
    </message>
    <message>
      <source>Nothing is written; the files checked so far keep their results in the list.</source>
      <translation>不会写入任何内容；已校验的文件在列表中保留其结果。</translation>
    </message>
  </context>
  <context>
    <name>ResultDetail</name>
    <message>
      <source>exit code {code}</source>
      <translation>退出码 {code}</translation>
    </message>
    <message>
      <source>killed by signal {number}</source>
      <translation>被信号 {number} 终止</translation>
    </message>
    <message>
      <source>killed by signal {number} ({name})</source>
      <translation>被信号 {number}（{name}）终止</translation>
    </message>
    <message>
      <source>ran {seconds:.2f} s</source>
      <translation>运行了 {seconds:.2f} 秒</translation>
    </message>
    <message>
      <source>Error output (last lines):</source>
      <translation>错误输出（最后几行）：</translation>
    </message>
    <message>
      <source>Output (last lines):</source>
      <translation>输出（最后几行）：</translation>
    </message>
  </context>
  <context>
    <name>RunPanel</name>
    <message>
      <source>Replacement strings, as in GNU parallel: {} the file, {.} without extension, {/} its name, {//} its folder, {/.} its name without extension, {#} its number, {out} the output planned below (written to a temporary beside it, moved into place on success). Without any, the file is added at the end. No shell: each replacement is one argument.</source>
      <translation>替换字符串与 GNU parallel 相同：{} 表示文件，{.} 表示去掉扩展名，{/} 表示文件名，{//} 表示所在文件夹，{/.} 表示去掉扩展名的文件名，{#} 表示序号，{out} 表示下方规划的输出（先写入旁边的临时文件，成功后再移到位）。若一个都没有使用，则将文件追加到命令末尾。不经过 shell：每个替换项都是一个独立参数。</translation>
    </message>
    <message>
      <source>Command template</source>
      <translation>命令模板</translation>
    </message>
    <message>
      <source>e.g. ffmpeg -nostdin -i {} -c:v libx264 {out}</source>
      <translation>例如 ffmpeg -nostdin -i {} -c:v libx264 {out}</translation>
    </message>
    <message>
      <source>Run through the shell (pipes, redirections)</source>
      <translation>通过 shell 运行（管道、重定向）</translation>
    </message>
    <message>
      <source>sh -c LINE; each replacement is quoted: do not quote them yourself</source>
      <translation>sh -c 命令行；每个替换项都会自动加引号，请勿自行加引号</translation>
    </message>
    <message>
      <source>Time limit per file</source>
      <translation>每个文件的时间上限</translation>
    </message>
    <message>
      <source> s</source>
      <translation> 秒</translation>
    </message>
    <message>
      <source>No limit</source>
      <translation>不限</translation>
    </message>
    <message>
      <source>Stop a command (and everything it started) after this long</source>
      <translation>超过此时长后停止命令（及其启动的所有进程）</translation>
    </message>
    <message>
      <source>Command preview</source>
      <translation>命令预览</translation>
    </message>
    <message>
      <source>Add files to preview the names {out} stands for.</source>
      <translation>添加文件后可预览 {out} 所代表的文件名。</translation>
    </message>
    <message>
      <source>Command</source>
      <translation>命令</translation>
    </message>
    <message>
      <source>Co&amp;mmand:</source>
      <translation>命令(&amp;M)：</translation>
    </message>
    <message>
      <source>&amp;Time limit:</source>
      <translation>时间上限(&amp;T)：</translation>
    </message>
    <message>
      <source>Runs:</source>
      <translation>将运行：</translation>
    </message>
    <message>
      <source>Type the command to run on each file ({} stands for the file).</source>
      <translation>请输入要对每个文件运行的命令（{} 代表该文件）。</translation>
    </message>
    <message>
      <source>Type a command; the first ones are shown here.</source>
      <translation>请输入命令；前几条将显示在这里。</translation>
    </message>
  </context>
  <context>
    <name>Status</name>
    <message>
      <source>Pending</source>
      <translation>等待中</translation>
    </message>
    <message>
      <source>Running</source>
      <translation>运行中</translation>
    </message>
    <message>
      <source>Done</source>
      <translation>已完成</translation>
    </message>
    <message>
      <source>Failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <source>Skipped</source>
      <translation>已跳过</translation>
    </message>
    <message>
      <source>Cancelled</source>
      <translation>已取消</translation>
    </message>
  </context>
  <context>
    <name>VerifyPanel</name>
    <message>
      <source>Checksum manifests (*SUMS *.sha256 *.sha512 *.sha1 *.md5 *.b2 *.b3 *.blake3 *.xxh128);;All files (*)</source>
      <translation>校验和清单 (*SUMS *.sha256 *.sha512 *.sha1 *.md5 *.b2 *.b3 *.blake3 *.xxh128);;所有文件 (*)</translation>
    </message>
    <message>
      <source>Manifest to verify</source>
      <translation>要校验的清单</translation>
    </message>
    <message>
      <source>SHA256SUMS, *.sha256, *.md5… (or add one to the list)</source>
      <translation>SHA256SUMS、*.sha256、*.md5…（或将清单添加到列表）</translation>
    </message>
    <message>
      <source>Checksum algorithm of the manifest</source>
      <translation>清单的校验和算法</translation>
    </message>
    <message>
      <source>Detect from the manifest</source>
      <translation>根据清单自动检测</translation>
    </message>
    <message>
      <source>Also report files the manifest does not list</source>
      <translation>同时报告清单中未列出的文件</translation>
    </message>
    <message>
      <source>Report unlisted files</source>
      <translation>报告未列出的文件</translation>
    </message>
    <message>
      <source>Files in the manifest's folder (and below) that it lacks</source>
      <translation>清单所在文件夹（及其子文件夹）中清单未包含的文件</translation>
    </message>
    <message>
      <source>&amp;Manifest:</source>
      <translation>清单(&amp;M)：</translation>
    </message>
    <message>
      <source>&amp;Algorithm:</source>
      <translation>算法(&amp;A)：</translation>
    </message>
    <message>
      <source>Choose the checksum manifest to verify (SHA256SUMS, *.sha256…).</source>
      <translation>请选择要校验的校验和清单（SHA256SUMS、*.sha256…）。</translation>
    </message>
    <message>
      <source>The manifest {path} does not exist or is not a file.</source>
      <translation>清单 {path} 不存在或不是文件。</translation>
    </message>
  </context>
  <context>
    <name>WindowUI</name>
    <message>
      <source>All files</source>
      <translation>所有文件</translation>
    </message>
    <message>
      <source>Pending</source>
      <translation>等待中</translation>
    </message>
    <message>
      <source>Running</source>
      <translation>运行中</translation>
    </message>
    <message>
      <source>Done</source>
      <translation>已完成</translation>
    </message>
    <message>
      <source>Failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <source>Skipped</source>
      <translation>已跳过</translation>
    </message>
    <message>
      <source>Cancelled</source>
      <translation>已取消</translation>
    </message>
    <message>
      <source>Not done</source>
      <translation>未完成</translation>
    </message>
    <message>
      <source>Pause the running job (its workers stop and use no CPU until resumed)</source>
      <translation>暂停正在运行的任务（其工作进程将停止，在继续之前不占用 CPU）</translation>
    </message>
    <message>
      <source>Resume the paused job</source>
      <translation>继续已暂停的任务</translation>
    </message>
    <message>
      <source>Add &amp;files…</source>
      <translation>添加文件(&amp;F)…</translation>
    </message>
    <message>
      <source>Add files to the list</source>
      <translation>将文件添加到列表</translation>
    </message>
    <message>
      <source>Add f&amp;older…</source>
      <translation>添加文件夹(&amp;O)…</translation>
    </message>
    <message>
      <source>Add a folder and everything in it</source>
      <translation>添加一个文件夹及其中的所有内容</translation>
    </message>
    <message>
      <source>&amp;Remove</source>
      <translation>移除(&amp;R)</translation>
    </message>
    <message>
      <source>Remove the selected rows</source>
      <translation>移除所选的行</translation>
    </message>
    <message>
      <source>C&amp;lear</source>
      <translation>清空(&amp;L)</translation>
    </message>
    <message>
      <source>Remove every file from the list</source>
      <translation>从列表中移除所有文件</translation>
    </message>
    <message>
      <source>&amp;Start</source>
      <translation>开始(&amp;S)</translation>
    </message>
    <message>
      <source>Run the operation on the listed files</source>
      <translation>对列表中的文件执行操作</translation>
    </message>
    <message>
      <source>&amp;Pause</source>
      <translation>暂停(&amp;P)</translation>
    </message>
    <message>
      <source>&amp;Cancel</source>
      <translation>取消(&amp;C)</translation>
    </message>
    <message>
      <source>Cancel the running job or scan</source>
      <translation>取消正在运行的任务或扫描</translation>
    </message>
    <message>
      <source>&amp;Quit</source>
      <translation>退出(&amp;Q)</translation>
    </message>
    <message>
      <source>&amp;Copy rows</source>
      <translation>复制行(&amp;C)</translation>
    </message>
    <message>
      <source>Copy the selected rows in full</source>
      <translation>完整复制所选的行</translation>
    </message>
    <message>
      <source>Copy &amp;path</source>
      <translation>复制路径(&amp;P)</translation>
    </message>
    <message>
      <source>Copy the selected files' full paths</source>
      <translation>复制所选文件的完整路径</translation>
    </message>
    <message>
      <source>Show in file &amp;manager</source>
      <translation>在文件管理器中显示(&amp;M)</translation>
    </message>
    <message>
      <source>Re&amp;try failed</source>
      <translation>重试失败项(&amp;T)</translation>
    </message>
    <message>
      <source>Run the failed and cancelled rows again</source>
      <translation>重新运行失败和已取消的行</translation>
    </message>
    <message>
      <source>&amp;Resume</source>
      <translation>继续(&amp;R)</translation>
    </message>
    <message>
      <source>Resume</source>
      <translation>继续</translation>
    </message>
    <message>
      <source>Pause</source>
      <translation>暂停</translation>
    </message>
    <message>
      <source>Operation</source>
      <translation>操作</translation>
    </message>
    <message>
      <source>{operation} options</source>
      <translation>{operation}选项</translation>
    </message>
    <message>
      <source>Worker processes</source>
      <translation>工作进程</translation>
    </message>
    <message numerus="yes">
      <source>Processes working in parallel (this computer has %Ln CPU core(s)). More than the cores helps with slow disks and network shares, not with work that keeps a core busy</source>
      <translation>
        <numerusform>并行工作的进程数（本机有 %Ln 个 CPU 核心）。多于核心数对慢速磁盘和网络共享有帮助，对需要占满 CPU 核心的工作则没有帮助</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>of %Ln CPU core(s)</source>
      <translation>
        <numerusform>/ %Ln 个 CPU 核心</numerusform>
      </translation>
    </message>
    <message>
      <source>Worker count note</source>
      <translation>工作进程数说明</translation>
    </message>
    <message>
      <source>Run on</source>
      <translation>运行于</translation>
    </message>
    <message>
      <source>This computer</source>
      <translation>本机</translation>
    </message>
    <message>
      <source>Dask cluster</source>
      <translation>Dask 集群</translation>
    </message>
    <message>
      <source>local:2 or tcp://host:8786</source>
      <translation>local:2 或 tcp://host:8786</translation>
    </message>
    <message>
      <source>Cluster address</source>
      <translation>集群地址</translation>
    </message>
    <message>
      <source>local or local:N: a cluster of N worker processes started on this computer; tcp://HOST:PORT: a Dask scheduler (the inputs must be on a file system the workers share, at the same path)</source>
      <translation>local 或 local:N：在本机启动由 N 个工作进程组成的集群；tcp://主机:端口：一个 Dask 调度器（输入文件必须位于各工作进程共享的文件系统上，且路径相同）</translation>
    </message>
    <message>
      <source>Test</source>
      <translation>测试</translation>
    </message>
    <message>
      <source>Test cluster</source>
      <translation>测试集群</translation>
    </message>
    <message>
      <source>Connect to the cluster and show its workers and threads</source>
      <translation>连接集群并显示其工作进程和线程数</translation>
    </message>
    <message>
      <source>Cluster status</source>
      <translation>集群状态</translation>
    </message>
    <message>
      <source> s</source>
      <translation> 秒</translation>
    </message>
    <message>
      <source>No limit</source>
      <translation>不限</translation>
    </message>
    <message>
      <source>Time limit per file</source>
      <translation>每个文件的时间上限</translation>
    </message>
    <message>
      <source>A file that takes longer than this fails as timed out (its worker is stopped and replaced); the other files go on</source>
      <translation>耗时超过此值的文件将因超时而失败（其工作进程会被停止并替换），其他文件继续处理</translation>
    </message>
    <message>
      <source>everything (e.g. *.jpg *.png)</source>
      <translation>全部（例如 *.jpg *.png）</translation>
    </message>
    <message>
      <source>Include patterns</source>
      <translation>包含模式</translation>
    </message>
    <message>
      <source>nothing (e.g. .git node_modules *.tmp)</source>
      <translation>无（例如 .git node_modules *.tmp）</translation>
    </message>
    <message>
      <source>Exclude patterns</source>
      <translation>排除模式</translation>
    </message>
    <message>
      <source>Include hidden files and folders</source>
      <translation>包含隐藏的文件和文件夹</translation>
    </message>
    <message>
      <source>Include hidden files</source>
      <translation>包含隐藏文件</translation>
    </message>
    <message>
      <source>Show files with status</source>
      <translation>显示具有以下状态的文件</translation>
    </message>
    <message>
      <source>File count</source>
      <translation>文件数</translation>
    </message>
    <message>
      <source>Follow running files</source>
      <translation>跟随正在处理的文件</translation>
    </message>
    <message>
      <source>Keep the files being worked on in view (on while a job runs, off once you scroll)</source>
      <translation>让正在处理的文件保持在视野内（任务运行时开启，手动滚动后关闭）</translation>
    </message>
    <message>
      <source>Current files</source>
      <translation>当前文件</translation>
    </message>
    <message>
      <source>Overall progress</source>
      <translation>总进度</translation>
    </message>
    <message>
      <source>Start</source>
      <translation>开始</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Ready</source>
      <translation>就绪</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>&amp;Language</source>
      <translation>语言(&amp;L)</translation>
    </message>
    <message>
      <source>System ({language})</source>
      <translation>跟随系统（{language}）</translation>
    </message>
    <message>
      <source>Applies when Parabatch is started again</source>
      <translation>重新启动 Parabatch 后生效</translation>
    </message>
    <message>
      <source>The language changes when Parabatch is started again.</source>
      <translation>重新启动 Parabatch 后将切换语言。</translation>
    </message>
    <message>
      <source>threads on the cluster</source>
      <translation>个集群线程</translation>
    </message>
    <message numerus="yes">
      <source>⚠ over the %Ln CPU core(s): slower</source>
      <translation>
        <numerusform>⚠ 超过 %Ln 个 CPU 核心：反而更慢</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>{operation} keeps a core busy per worker: more workers than the %Ln core(s) only share them</source>
      <translation>
        <numerusform>“{operation}”的每个工作进程都会占满一个核心：工作进程多于 %Ln 个核心时只能分享这些核心</numerusform>
      </translation>
    </message>
    <message>
      <source>&amp;Operation:</source>
      <translation>操作(&amp;O)：</translation>
    </message>
    <message>
      <source>Run on:</source>
      <translation>运行于：</translation>
    </message>
    <message>
      <source>Cluster:</source>
      <translation>集群：</translation>
    </message>
    <message>
      <source>&amp;Workers:</source>
      <translation>工作进程(&amp;W)：</translation>
    </message>
    <message>
      <source>Time &amp;limit per file:</source>
      <translation>每个文件的时间上限(&amp;L)：</translation>
    </message>
    <message>
      <source>Options</source>
      <translation>选项</translation>
    </message>
    <message>
      <source>Adding folders</source>
      <translation>添加文件夹</translation>
    </message>
    <message>
      <source>&amp;Include:</source>
      <translation>包含(&amp;I)：</translation>
    </message>
    <message>
      <source>E&amp;xclude:</source>
      <translation>排除(&amp;X)：</translation>
    </message>
    <message>
      <source>&amp;View:</source>
      <translation>查看(&amp;V)：</translation>
    </message>
    <message>
      <source>&amp;File</source>
      <translation>文件(&amp;F)</translation>
    </message>
    <message>
      <source>&amp;Edit</source>
      <translation>编辑(&amp;E)</translation>
    </message>
    <message>
      <source>Files</source>
      <translation>文件</translation>
    </message>
  </context>
</TS>
