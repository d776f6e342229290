// Open and edit in place against a real capsule-local: load, edit and save a runner's file; a
// change on the runner in between triggers the question (overwrite / reload / cancel through the
// seam, the dialog opened without a nested event loop); binary files are never opened as text;
// the highlighter knows the common formats.
#include "app/files/codeeditor.h"
#include "app/files/externalopen.h"
#include "app/files/filebrowser.h"
#include "app/files/filepreview.h"
#include "app/files/highlighter.h"
#include "app/files/remoteeditor.h"
#include "app/files/remotefilesmodel.h"
#include "core/transfer.h"
#include "filesfixture.h"

#include <QAbstractButton>
#include <QAction>
#include <QBuffer>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTextBlock>
#include <QTextLayout>
#include <QTreeView>
#include <QtTest>

using namespace capsule;
using namespace capsule::app;

class TestFilesEditor : public QObject
{
    Q_OBJECT

    capsule::test::FilesFixture m_fx;
    std::unique_ptr<TransferQueue> m_queue;
    std::unique_ptr<FileBrowser> m_browser;

    RemoteEditor *open(const QString &path)
    {
        RemoteEditor *editor = m_browser->openEditor(path);
        if (!editor)
            return nullptr;
        QSignalSpy loaded(editor, &RemoteEditor::loaded);
        QSignalSpy failed(editor, &RemoteEditor::loadFailed);
        if (!editor->isLoaded() &&
            !QTest::qWaitFor([&] { return loaded.size() + failed.size() > 0; }, 30000))
            return nullptr;
        return editor;
    }

    static void type(RemoteEditor *editor, const QString &text)
    {
        QTextCursor c(editor->editor()->document());
        c.movePosition(QTextCursor::End);
        c.insertText(text);
    }

    static bool save(RemoteEditor *editor)
    {
        QSignalSpy saved(editor, &RemoteEditor::saved);
        QSignalSpy failed(editor, &RemoteEditor::saveFailed);
        editor->save();
        return QTest::qWaitFor([&] { return saved.size() + failed.size() > 0; }, 30000) &&
               saved.size() == 1;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fx.start(1, &error), qPrintable(error));
        m_queue = std::make_unique<TransferQueue>();
        m_browser = std::make_unique<FileBrowser>(m_queue.get());
        m_browser->setSession(m_fx.session(), "/workspace");
    }

    void cleanupTestCase()
    {
        m_browser.reset();
        m_queue.reset();
    }

    void editAndSave()
    {
        QVERIFY(m_fx.write("/workspace/app.yaml", "name: demo\nreplicas: 2\n"));
        RemoteEditor *editor = open("/workspace/app.yaml");
        QVERIFY(editor);
        QVERIFY(editor->isLoaded());
        QCOMPARE(m_browser->tabs()->count(), 2);
        QCOMPARE(m_browser->tabs()->currentWidget(), editor);
        QCOMPARE(editor->editor()->toPlainText(), QString("name: demo\nreplicas: 2\n"));
        QCOMPARE(editor->highlighter()->language(), Highlighter::Language::Yaml);
        // The key of the first line is painted.
        QVERIFY(!editor->editor()->document()->firstBlock().layout()->formats().isEmpty());
        QVERIFY(!editor->isModified());

        type(editor, "port: 8080\n");
        QVERIFY(editor->isModified());
        QCOMPARE(m_browser->tabs()->tabText(1), QString("app.yaml*"));
        int asked = 0;
        editor->setChangedOverride([&asked](const QByteArray &) {
            ++asked;
            return RemoteEditor::ChangedChoice::Cancel;
        });
        QVERIFY(save(editor));
        QCOMPARE(asked, 0); // nobody changed it meanwhile: no question
        QCOMPARE(m_fx.read("/workspace/app.yaml"),
                 QByteArray("name: demo\nreplicas: 2\nport: 8080\n"));
        QVERIFY(!editor->isModified());
        QCOMPARE(m_browser->tabs()->tabText(1), QString("app.yaml"));
        type(editor, "# the service\nservice:\n  image: \"nginx:1.25\"\n  ports: [80, 443]\n"
                     "  enabled: true\n");
        capsule::test::screenshot(m_browser.get(), "files-editor");
        editor->editor()->undo();
        QVERIFY(!editor->isModified());
        // The same file again shows the open tab.
        QCOMPARE(m_browser->openEditor("/workspace/app.yaml"), editor);
        QCOMPARE(m_browser->tabs()->count(), 2);
    }

    void remoteChangeAsks_data()
    {
        QTest::addColumn<int>("choice");
        QTest::addColumn<QByteArray>("remoteAfter");
        QTest::addColumn<QString>("editorAfter");
        QTest::newRow("overwrite") << int(RemoteEditor::ChangedChoice::Overwrite)
                                   << QByteArray("v1\nmine\n") << QString("v1\nmine\n");
        QTest::newRow("reload") << int(RemoteEditor::ChangedChoice::Reload)
                                << QByteArray("v1\ntheirs\n") << QString("v1\ntheirs\n");
        QTest::newRow("cancel") << int(RemoteEditor::ChangedChoice::Cancel)
                                << QByteArray("v1\ntheirs\n") << QString("v1\nmine\n");
    }

    void remoteChangeAsks()
    {
        QFETCH(int, choice);
        QFETCH(QByteArray, remoteAfter);
        QFETCH(QString, editorAfter);
        const QString path = QString("/workspace/changed-%1.txt").arg(QTest::currentDataTag());
        QVERIFY(m_fx.write(path, "v1\n"));
        RemoteEditor *editor = open(path);
        QVERIFY(editor && editor->isLoaded());
        type(editor, "mine\n");
        // Same size as our version: only the content tells the change.
        QVERIFY(m_fx.write(path, "v1\ntheirs\n"));
        QByteArray seen;
        editor->setChangedOverride([&seen, choice](const QByteArray &now) {
            seen = now;
            return RemoteEditor::ChangedChoice(choice);
        });
        QSignalSpy changed(editor, &RemoteEditor::remoteChanged);
        editor->save();
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 30000);
        QCOMPARE(seen, QByteArray("v1\ntheirs\n"));
        QTest::qWait(1000); // an overwrite has landed by now
        QTRY_COMPARE_WITH_TIMEOUT(m_fx.read(path), remoteAfter, 20000);
        QCOMPARE(editor->editor()->toPlainText(), editorAfter);
    }

    // Without a seam the question is a real dialog, opened without a nested event loop.
    void remoteChangeDialog()
    {
        const QString path = "/workspace/dialog.txt";
        QVERIFY(m_fx.write(path, "a\n"));
        RemoteEditor *editor = open(path);
        QVERIFY(editor && editor->isLoaded());
        editor->setChangedOverride({});
        type(editor, "b\n");
        QVERIFY(m_fx.write(path, "c\n"));
        editor->save();
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = editor->findChild<QMessageBox *>()) != nullptr, 30000);
        QVERIFY(box->isVisible());
        for (QAbstractButton *b : box->buttons()) {
            if (b->text() == "Overwrite")
                b->click();
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_fx.read(path), QByteArray("a\nb\n"), 20000);
    }

    void binaryNeverOpensAsText_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("nul") << QByteArray("ELF\0\1\2 text after", 18);
        QTest::newRow("not utf-8") << QByteArray("caf\xe9 latin-1 \xff\xfe");
    }

    void binaryNeverOpensAsText()
    {
        QFETCH(QByteArray, content);
        const QString path = QString("/workspace/blob-%1.bin").arg(QTest::currentDataTag());
        QVERIFY(m_fx.write(path, content));
        RemoteEditor *editor = m_browser->openEditor(path);
        QSignalSpy failed(editor, &RemoteEditor::loadFailed);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 30000);
        QVERIFY(failed.first().first().toString().contains("binary"));
        QVERIFY(!editor->isLoaded());
        QVERIFY(editor->editor()->isReadOnly());
        QVERIFY(editor->editor()->toPlainText().isEmpty());
        QVERIFY(RemoteEditor::looksBinary(content));
        QVERIFY(!RemoteEditor::looksBinary("gr\xc3\xbc\xc3\x9f dich\n"));
    }

    void crlfIsKept()
    {
        QVERIFY(m_fx.write("/workspace/dos.txt", "one\r\ntwo\r\n"));
        RemoteEditor *editor = open("/workspace/dos.txt");
        QVERIFY(editor && editor->isLoaded());
        type(editor, "three\n");
        QVERIFY(save(editor));
        QCOMPARE(m_fx.read("/workspace/dos.txt"), QByteArray("one\r\ntwo\r\nthree\r\n"));
    }

    void previewPane()
    {
        QImage img(40, 30, QImage::Format_RGB32);
        img.fill(Qt::red);
        QByteArray png;
        QBuffer buf(&png);
        buf.open(QIODevice::WriteOnly);
        QVERIFY(img.save(&buf, "PNG"));
        QVERIFY(m_fx.sh("mkdir -p /workspace/pv"));
        QVERIFY(m_fx.write("/workspace/pv/a.png", png));
        QVERIFY(m_fx.write("/workspace/pv/b.txt", "hello preview\n"));
        QVERIFY(m_fx.write("/workspace/pv/c.bin", QByteArray("\0\1\2", 3)));
        QSignalSpy listed(m_browser->model(), &RemoteFilesModel::listed);
        m_browser->navigate("/workspace/pv");
        QTRY_VERIFY_WITH_TIMEOUT(listed.size() >= 1 && m_browser->model()->rowCount() == 3, 30000);
        m_browser->findChild<QAction *>("actionFilesPreview")->trigger();
        QVERIFY(!m_browser->preview()->isHidden());
        const QStringList kinds{"image", "text", "message"};
        m_browser->view()->setCurrentIndex({}); // each row below is a change of the current row
        for (int row = 0; row < 3; ++row) {
            QSignalSpy shown(m_browser->preview(), &FilePreview::shown);
            m_browser->view()->setCurrentIndex(m_browser->model()->index(row, 0));
            QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 30000);
            QCOMPARE(m_browser->preview()->shownKind(), kinds.at(row));
        }
        QVERIFY(!m_browser->preview()->imageView()->pixmap().isNull());
        QVERIFY(m_browser->preview()->messageView()->text().contains("binary"));
        m_browser->findChild<QAction *>("actionFilesPreview")->trigger();
        m_browser->navigate("/workspace");
    }

    void openWithSystemApplication()
    {
        QVERIFY(m_fx.write("/workspace/ext.txt", "before\n"));
        QString openedPath;
        m_browser->setExternalOpener([&openedPath](const QString &p) {
            openedPath = p;
            return true;
        });
        QStringList questions;
        m_browser->setConfirmOverride([&questions](const QString &q) {
            questions << q;
            return true;
        });
        ExternalOpen *ext = m_browser->openExternally("/workspace/ext.txt");
        QVERIFY(ext);
        QSignalSpy opened(ext, &ExternalOpen::opened);
        QSignalSpy uploading(ext, &ExternalOpen::uploadStarted);
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, 30000);
        QCOMPARE(capsule::test::readLocal(openedPath), QByteArray("before\n"));
        QTest::qWait(1200);
        QVERIFY(questions.isEmpty()); // the download itself is no change
        // An editor that saves by replacing the file (write a new one, rename it over).
        QVERIFY(capsule::test::writeLocal(openedPath + ".tmp", "after\n"));
        QVERIFY(QFile::remove(openedPath));
        QVERIFY(QFile::rename(openedPath + ".tmp", openedPath));
        QTRY_COMPARE_WITH_TIMEOUT(uploading.size(), 1, 30000);
        QCOMPARE(questions.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(m_fx.read("/workspace/ext.txt"), QByteArray("after\n"), 30000);
        m_browser->setConfirmOverride({});
    }

    void languages()
    {
        using L = Highlighter::Language;
        QCOMPARE(Highlighter::languageFor("a.yml"), L::Yaml);
        QCOMPARE(Highlighter::languageFor("package.json"), L::Json);
        QCOMPARE(Highlighter::languageFor("run.sh"), L::Shell);
        QCOMPARE(Highlighter::languageFor(".bashrc"), L::Shell);
        QCOMPARE(Highlighter::languageFor("tool", "#!/usr/bin/env python3"), L::Python);
        QCOMPARE(Highlighter::languageFor("x.py"), L::Python);
        QCOMPARE(Highlighter::languageFor("README.md"), L::Markdown);
        QCOMPARE(Highlighter::languageFor("notes.txt"), L::None);
    }
};

QTEST_MAIN(TestFilesEditor)
#include "tst_fileseditor.moc"
